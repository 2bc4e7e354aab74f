/**
 * The WebDAV `If` request header (RFC 4918 §10.4): parsing and evaluation.
 *
 * The header is attacker-controlled and may be large, so it is read by a single-pass scanner
 * (no regex over the whole value) with hard limits on size and on the number of lists/conditions.
 */
import { errors } from '../../errors.js';

export interface IfCondition {
  not: boolean;
  /** token: a Coded-URL (lock token or e.g. DAV:no-lock); etag: an entity-tag in [ ]. */
  kind: 'token' | 'etag';
  /** token: the URI without the angle brackets; etag: the entity-tag as written, quotes and W/ included. */
  value: string;
}

export interface IfList {
  /** Decoded path of the Resource-Tag, or null for a No-tag-list (it applies to the request URI). */
  resource: string | null;
  conditions: IfCondition[];
}

export interface IfResourceState {
  /** The resource's current entity tag with quotes, e.g. "\"<sha256>\"", or null if it has none / does not exist. */
  etag: string | null;
  /** Lock tokens of the locks that currently apply to the resource (direct or inherited from a depth-infinity lock on an ancestor), as URIs like "urn:uuid:...". */
  lockTokens: string[];
}

const MAX_HEADER_LENGTH = 16 * 1024;
const MAX_LISTS = 100;
const MAX_CONDITIONS = 1000;

// Checked on a short prefix only, and the pattern has no nested quantifiers, so it cannot backtrack badly.
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

const malformed = (what: string) => errors.badRequest(`Malformed If header: ${what}.`);

/** LWS as HTTP/1.1 allowed it; CR/LF only survive here from obsolete line folding, but they are harmless. */
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/**
 * Characters that can never be part of a URI between angle brackets; catching them early gives a
 * clear error. Spaces are tolerated in resource tags only: some clients send paths unencoded there,
 * and since '>' cannot occur in a URI the tag's end is still unambiguous.
 */
const isUriStop = (c: string, allowSpace: boolean) =>
  c === '<' || c === '\x7f' || (c <= ' ' && !(allowSpace && c === ' '));

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}

  skipSpace(): void {
    while (isSpace(this.s[this.pos])) this.pos++;
  }

  get done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string | undefined {
    return this.s[this.pos];
  }

  /** Reads `<...>` and returns what is inside; the caller has checked that the current char is '<'. */
  angle(what: string, allowSpace = false): string {
    const start = ++this.pos;
    for (; this.pos < this.s.length; this.pos++) {
      const c = this.s[this.pos]!;
      if (c === '>') {
        if (this.pos === start) throw malformed(`empty ${what} at position ${start - 1}`);
        return this.s.slice(start, this.pos++);
      }
      if (isUriStop(c, allowSpace)) {
        throw malformed(`unexpected character in ${what} at position ${this.pos}`);
      }
    }
    throw malformed(`unclosed ${what} at position ${start - 1}`);
  }

  /** Reads `[ entity-tag ]`; the caller has checked that the current char is '['. */
  entityTag(): string {
    const open = this.pos++;
    this.skipSpace();
    const start = this.pos;
    if (this.s.startsWith('W/', this.pos)) this.pos += 2;
    if (this.peek() !== '"') throw malformed(`entity-tag is not a quoted string at position ${this.pos}`);
    this.pos++;
    // quoted-string, with RFC 2616 backslash escapes, so a ']' or '"' inside the tag cannot end it early.
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw malformed(`unclosed entity-tag at position ${open}`);
      this.pos++;
      if (c === '"') break;
      if (c === '\\') {
        if (this.done) throw malformed(`unclosed entity-tag at position ${open}`);
        this.pos++;
      } else if (c < ' ' && c !== '\t') {
        throw malformed(`control character in entity-tag at position ${this.pos - 1}`);
      }
    }
    const tag = this.s.slice(start, this.pos);
    this.skipSpace();
    if (this.peek() !== ']') throw malformed(`expected "]" at position ${this.pos}`);
    this.pos++;
    return tag;
  }
}

/**
 * Turns a Resource-Tag (Simple-ref = absolute-URI | path-absolute ["?" query]) into a decoded path.
 * The host is dropped rather than checked: behind a proxy the client's view of it is not ours, and
 * a tag naming a path we do not serve simply never matches.
 */
function resourcePath(ref: string, at: number): string {
  let rest: string;
  if (ref.startsWith('/')) {
    // "//host/path" is a network-path reference: same treatment as an absolute URL.
    rest = ref.startsWith('//') ? stripAuthority(ref.slice(2)) : ref;
  } else {
    const scheme = SCHEME.exec(ref.slice(0, 64));
    if (!scheme || !ref.startsWith('//', scheme[0].length)) {
      throw malformed(`resource tag at position ${at} is neither an absolute URL nor an absolute path`);
    }
    rest = stripAuthority(ref.slice(scheme[0].length + 2));
  }
  const end = rest.search(/[?#]/);
  const raw = end === -1 ? rest : rest.slice(0, end);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw malformed(`invalid percent-encoding in resource tag at position ${at}`);
  }
}

function stripAuthority(afterSlashes: string): string {
  const end = afterSlashes.search(/[/?#]/);
  if (end === -1) return '/';
  const rest = afterSlashes.slice(end);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function parseList(sc: Scanner, resource: string | null, budget: { conditions: number }): IfList {
  const open = sc.pos++;
  const conditions: IfCondition[] = [];
  for (;;) {
    sc.skipSpace();
    const c = sc.peek();
    if (c === undefined) throw malformed(`unclosed list at position ${open}`);
    if (c === ')') {
      if (conditions.length === 0) throw malformed(`empty list at position ${open}`);
      sc.pos++;
      return { resource, conditions };
    }
    let not = false;
    if (sc.s.slice(sc.pos, sc.pos + 3).toLowerCase() === 'not') {
      not = true;
      sc.pos += 3;
      sc.skipSpace();
    }
    const at = sc.pos;
    const d = sc.peek();
    let cond: IfCondition;
    if (d === '<') {
      const value = sc.angle('state token');
      if (!SCHEME.test(value.slice(0, 64))) {
        throw malformed(`state token at position ${at} is not an absolute URI`);
      }
      cond = { not, kind: 'token', value };
    } else if (d === '[') {
      cond = { not, kind: 'etag', value: sc.entityTag() };
    } else if (d === undefined) {
      throw malformed(`unclosed list at position ${open}`);
    } else {
      throw malformed(`expected a state token or entity-tag at position ${at}`);
    }
    if (++budget.conditions > MAX_CONDITIONS) throw malformed(`more than ${MAX_CONDITIONS} conditions`);
    conditions.push(cond);
  }
}

/** Parses an `If` header value (without the "If:" name). Throws a 400 LoftError when it is malformed. */
export function parseIfHeader(header: string): IfList[] {
  if (header.length > MAX_HEADER_LENGTH) throw malformed(`longer than ${MAX_HEADER_LENGTH} characters`);
  const sc = new Scanner(header);
  const lists: IfList[] = [];
  const budget = { conditions: 0 };
  // undefined until the first production decides whether this is a tagged or an untagged header.
  let tagged: boolean | undefined;
  let resource: string | null = null;
  // A Resource-Tag must be followed by at least one List.
  let tagPending = -1;

  for (;;) {
    sc.skipSpace();
    const c = sc.peek();
    if (c === undefined) break;
    if (c === '<') {
      if (tagged === false) throw malformed(`tagged list after untagged lists at position ${sc.pos}`);
      if (tagPending !== -1) throw malformed(`resource tag without a list at position ${tagPending}`);
      tagged = true;
      tagPending = sc.pos;
      resource = resourcePath(sc.angle('resource tag', true), tagPending);
    } else if (c === '(') {
      tagged ??= false;
      tagPending = -1;
      lists.push(parseList(sc, resource, budget));
      if (lists.length > MAX_LISTS) throw malformed(`more than ${MAX_LISTS} lists`);
    } else {
      throw malformed(`unexpected character at position ${sc.pos}`);
    }
  }
  if (tagPending !== -1) throw malformed(`resource tag without a list at position ${tagPending}`);
  if (lists.length === 0) throw malformed('no list');
  return lists;
}

const stripWeak = (etag: string) => (etag.startsWith('W/') ? etag.slice(2) : etag);

/**
 * RFC 4918 §10.4: the header is true when at least one list is true; a list is true when every
 * condition in it is true. Tagged lists are evaluated against their resource, untagged ones against
 * the request-URI resource (key null). A condition on an unmapped resource (state undefined) never
 * matches, so its Not is true.
 */
export function evaluateIf(
  lists: IfList[],
  state: (resource: string | null) => IfResourceState | undefined,
): boolean {
  // Lookups may hit the database; one per resource is enough.
  const cache = new Map<string | null, IfResourceState | undefined>();
  const stateOf = (resource: string | null) => {
    if (!cache.has(resource)) cache.set(resource, state(resource));
    return cache.get(resource);
  };
  return lists.some((list) => {
    const st = stateOf(list.resource);
    return list.conditions.every((cond) => {
      let matches = false;
      if (st) {
        matches =
          cond.kind === 'token'
            ? st.lockTokens.includes(cond.value)
            : st.etag !== null && stripWeak(st.etag) === stripWeak(cond.value);
      }
      return matches !== cond.not;
    });
  });
}

/** Every distinct resource key appearing in the lists (null for untagged), so the caller can load their states first. */
export function resourcesOf(lists: IfList[]): (string | null)[] {
  return [...new Set(lists.map((l) => l.resource))];
}

/** The lock tokens the client submits: every token in a non-negated condition, deduplicated. */
export function submittedTokens(lists: IfList[]): string[] {
  const tokens = new Set<string>();
  for (const list of lists) {
    for (const cond of list.conditions) if (cond.kind === 'token' && !cond.not) tokens.add(cond.value);
  }
  return [...tokens];
}
