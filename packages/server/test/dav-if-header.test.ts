import { describe, expect, it } from 'vitest';
import { LoftError } from '../src/errors.js';
import {
  evaluateIf,
  parseIfHeader,
  resourcesOf,
  submittedTokens,
  type IfList,
  type IfResourceState,
} from '../src/http/dav/if-header.js';

/** The LoftError a call throws; fails the test when it does not throw one. */
function loftErrorOf(fn: () => unknown): LoftError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoftError);
    return e as LoftError;
  }
  throw new Error('expected a LoftError');
}

const tok = (value: string, not = false) => ({ not, kind: 'token' as const, value });
const etag = (value: string, not = false) => ({ not, kind: 'etag' as const, value });

const TOKEN = 'urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2';
const ETAG = '"5f3c1b"';

describe('parseIfHeader: valid headers', () => {
  it('parses the RFC 4918 untagged example with an entity-tag', () => {
    expect(parseIfHeader(`(<${TOKEN}> ["I am an ETag"]) (["I am another ETag"])`)).toEqual([
      { resource: null, conditions: [tok(TOKEN), etag('"I am an ETag"')] },
      { resource: null, conditions: [etag('"I am another ETag"')] },
    ]);
  });

  it('parses Not, which applies to the following condition only', () => {
    expect(parseIfHeader('(Not <urn:uuid:181d4fae> <urn:uuid:58f202ac>)')).toEqual([
      { resource: null, conditions: [tok('urn:uuid:181d4fae', true), tok('urn:uuid:58f202ac')] },
    ]);
  });

  it('accepts Not in any case and without a space before the condition', () => {
    expect(parseIfHeader('(NOT<urn:a>)(not["x"])')).toEqual([
      { resource: null, conditions: [tok('urn:a', true)] },
      { resource: null, conditions: [etag('"x"', true)] },
    ]);
  });

  it('applies a resource tag to every list that follows it', () => {
    expect(parseIfHeader('</resource1> (<urn:uuid:181d4fae> [W/"A weak ETag"]) (["strong ETag"])')).toEqual([
      { resource: '/resource1', conditions: [tok('urn:uuid:181d4fae'), etag('W/"A weak ETag"')] },
      { resource: '/resource1', conditions: [etag('"strong ETag"')] },
    ]);
  });

  it('parses several tagged groups', () => {
    expect(parseIfHeader('</a> (<urn:x>) </b> (<urn:y>) (<urn:z>)')).toEqual([
      { resource: '/a', conditions: [tok('urn:x')] },
      { resource: '/b', conditions: [tok('urn:y')] },
      { resource: '/b', conditions: [tok('urn:z')] },
    ]);
  });

  it('reduces an absolute-URL resource tag to its path', () => {
    expect(parseIfHeader('<http://www.example.com/specs/> (<urn:uuid:181d4fae>)')).toEqual([
      { resource: '/specs/', conditions: [tok('urn:uuid:181d4fae')] },
    ]);
  });

  it('percent-decodes resource tags as UTF-8 and drops host, port, query and fragment', () => {
    const path = (ref: string) => parseIfHeader(`<${ref}> (<urn:uuid:x>)`)[0]!.resource;
    expect(path('http://127.0.0.1:8080/dav/caf%C3%A9/')).toBe('/dav/café/');
    expect(path('https://user@host:443/dav/a%20b.txt?x=1#frag')).toBe('/dav/a b.txt');
    expect(path('/dav/q?x=%zz')).toBe('/dav/q');
    expect(path('http://host')).toBe('/');
    expect(path('http://host?x')).toBe('/');
    expect(path('//host/dav/x')).toBe('/dav/x');
    expect(path('/dav/file (1).txt')).toBe('/dav/file (1).txt');
  });

  it('accepts the lock-token URI schemes clients use', () => {
    expect(parseIfHeader('(<opaquelocktoken:abc>)')[0]!.conditions).toEqual([tok('opaquelocktoken:abc')]);
    expect(parseIfHeader('(<DAV:no-lock>)')[0]!.conditions).toEqual([tok('DAV:no-lock')]);
  });

  it("parses litmus's conditional PUT forms", () => {
    expect(parseIfHeader(`(<${TOKEN}>) (Not <DAV:no-lock>)`)).toEqual([
      { resource: null, conditions: [tok(TOKEN)] },
      { resource: null, conditions: [tok('DAV:no-lock', true)] },
    ]);
    expect(parseIfHeader(`(<${TOKEN}> [${ETAG}]) (Not <DAV:no-lock> [${ETAG}])`)).toEqual([
      { resource: null, conditions: [tok(TOKEN), etag(ETAG)] },
      { resource: null, conditions: [tok('DAV:no-lock', true), etag(ETAG)] },
    ]);
  });

  it('tolerates linear whitespace everywhere between tokens', () => {
    expect(parseIfHeader(' \t</a>\t(  Not\t<urn:x>  [ "e" ]  )\r\n (<urn:y>) ')).toEqual([
      { resource: '/a', conditions: [tok('urn:x', true), etag('"e"')] },
      { resource: '/a', conditions: [tok('urn:y')] },
    ]);
  });

  it('reads quoted-string escapes so "]" and "\\"" inside an entity-tag do not end it', () => {
    expect(parseIfHeader('(["a]b\\"c"])')[0]!.conditions).toEqual([etag('"a]b\\"c"')]);
  });
});

describe('parseIfHeader: malformed headers are 400', () => {
  const cases: [string, string][] = [
    ['empty', ''],
    ['only whitespace', '  \t '],
    ['empty list', '()'],
    ['empty list after a good one', '(<urn:a>) ()'],
    ['unclosed list', '(<urn:a>'],
    ['unclosed list after Not', '(Not'],
    ['unclosed state token', '(<urn:a)'],
    ['unclosed state token at the end', '(<urn:a'],
    ['unclosed entity-tag bracket', '(["a"'],
    ['unclosed entity-tag quote', '(["a])'],
    ['entity-tag ending in a backslash', '(["a\\'],
    ['unquoted entity-tag', '([abc])'],
    ['empty entity-tag brackets', '([])'],
    ['junk after the entity-tag', '(["a" x])'],
    ['empty state token', '(<>)'],
    ['relative state token', '(<abc>)'],
    ['space in a state token', '(<urn:a b>)'],
    ['Not alone', '(Not)'],
    ['Not twice', '(Not Not <urn:a>)'],
    ['Not glued to a word', '(Nothing)'],
    ['bare word in a list', '(foo)'],
    ['garbage outside lists', 'garbage'],
    ['comma between lists', '(<urn:a>), (<urn:b>)'],
    ['stray closing parenthesis', ')(<urn:a>)'],
    ['nested list', '((<urn:a>))'],
    ['tag without a list', '</a>'],
    ['tag followed by a tag', '</a> </b> (<urn:a>)'],
    ['untagged then tagged', '(<urn:a>) </b> (<urn:b>)'],
    ['tag that is a relative path', '<a/b> (<urn:a>)'],
    ['tag that is an opaque URI', '<urn:x> (<urn:a>)'],
    ['tag with bad percent-encoding', '</a%zz> (<urn:a>)'],
    ['tag with a truncated escape', '</a%C> (<urn:a>)'],
    ['tag with invalid UTF-8', '</a%C3%28> (<urn:a>)'],
    ['unclosed tag', '</a (<urn:a>)'],
    ['control character in an entity-tag', '(["a\u0001"])'],
  ];
  it.each(cases)('%s', (_name, header) => {
    const err = loftErrorOf(() => parseIfHeader(header));
    expect(err.status).toBe(400);
    expect(err.code).toBe('bad_request');
    expect(err.message).toMatch(/^Malformed If header: .+\.$/);
  });

  it('rejects a header over 16 KiB', () => {
    const list = '(<urn:a>)';
    expect(() => parseIfHeader(list.repeat(100))).not.toThrow();
    const big = `</a> ${'(<urn:a>)'.padEnd(16 * 1024 + 1 - 5, ' ')}`;
    expect(loftErrorOf(() => parseIfHeader(big)).status).toBe(400);
    expect(() => parseIfHeader(big.slice(0, -1))).not.toThrow();
  });

  it('rejects more than 100 lists', () => {
    expect(parseIfHeader('(<urn:a>)'.repeat(100))).toHaveLength(100);
    expect(loftErrorOf(() => parseIfHeader('(<urn:a>)'.repeat(101))).message).toMatch(/lists/);
  });

  it('rejects more than 1000 conditions', () => {
    const list = (n: number) => `(${'<urn:a>'.repeat(n)})`;
    expect(() => parseIfHeader(list(500) + list(500))).not.toThrow();
    expect(loftErrorOf(() => parseIfHeader(list(500) + list(501))).message).toMatch(/conditions/);
  });

  it('handles pathological 16 KiB headers in linear time', () => {
    const n = 16 * 1024;
    const headers = [
      `(<urn:${'a'.repeat(n - 8)}`, // one unclosed token
      `(["${'\\"'.repeat((n - 4) / 2)}`, // an entity-tag made of escapes, never closed
      `(${'Not '.repeat((n - 2) / 4)}`, // Not after Not
      `(${' '.repeat(n - 2)})`, // an empty list padded with whitespace
      `</${'%'.repeat(n - 3)}>`, // a tag that cannot be decoded
      `</${'a'.repeat(n - 16)}> (<urn:a>)`, // a valid but huge tag
      '(<urn:a>)'.repeat(Math.floor(n / 9)), // too many lists
    ];
    for (const h of headers) {
      expect(h.length).toBeLessThanOrEqual(n);
      const start = performance.now();
      try {
        parseIfHeader(h);
      } catch (e) {
        expect(e).toBeInstanceOf(LoftError);
      }
      expect(performance.now() - start).toBeLessThan(50);
    }
  });
});

describe('evaluateIf', () => {
  const REQ: IfResourceState = { etag: ETAG, lockTokens: [TOKEN] };
  const OTHER: IfResourceState = { etag: 'W/"other"', lockTokens: ['urn:uuid:other'] };
  const NONE: IfResourceState = { etag: null, lockTokens: [] };
  const states = new Map<string | null, IfResourceState>([
    [null, REQ],
    ['/other', OTHER],
    ['/none', NONE],
  ]);
  const lookup = (r: string | null) => states.get(r);
  const evalIf = (header: string) => evaluateIf(parseIfHeader(header), lookup);

  it.each([
    [`(<${TOKEN}>)`, true],
    ['(<urn:uuid:wrong>)', false],
    [`(Not <${TOKEN}>)`, false],
    ['(Not <urn:uuid:wrong>)', true],
    [`([${ETAG}])`, true],
    ['(["nope"])', false],
    [`(Not [${ETAG}])`, false],
    ['(Not ["nope"])', true],
    [`([W/${ETAG}])`, true], // weak comparison is acceptable for If
    ['(<DAV:no-lock>)', false],
    ['(Not <DAV:no-lock>)', true],
  ])('untagged %s -> %s', (header, expected) => {
    expect(evalIf(header)).toBe(expected);
  });

  it('ANDs the conditions of a list', () => {
    expect(evalIf(`(<${TOKEN}> [${ETAG}])`)).toBe(true);
    expect(evalIf(`(<${TOKEN}> ["stale"])`)).toBe(false);
    expect(evalIf(`(<urn:uuid:wrong> [${ETAG}])`)).toBe(false);
    expect(evalIf(`(<${TOKEN}> Not <DAV:no-lock> [${ETAG}])`)).toBe(true);
  });

  it('ORs the lists', () => {
    expect(evalIf('(<urn:uuid:wrong>) (["nope"])')).toBe(false);
    expect(evalIf(`(<urn:uuid:wrong>) ([${ETAG}])`)).toBe(true);
    expect(evalIf(`(<${TOKEN}>) (<urn:uuid:wrong>)`)).toBe(true);
  });

  it('runs the litmus forms the way litmus expects', () => {
    // Lock held and submitted: true via the first list.
    expect(evalIf(`(<${TOKEN}>) (Not <DAV:no-lock>)`)).toBe(true);
    // Wrong token: still true thanks to "Not <DAV:no-lock>", which is always true.
    expect(evalIf('(<urn:uuid:wrong>) (Not <DAV:no-lock>)')).toBe(true);
    expect(evalIf(`(<${TOKEN}> [${ETAG}]) (Not <DAV:no-lock> [${ETAG}])`)).toBe(true);
    // Stale entity-tag makes both lists false.
    expect(evalIf(`(<${TOKEN}> ["stale"]) (Not <DAV:no-lock> ["stale"])`)).toBe(false);
    // Only DAV:no-lock: never true.
    expect(evalIf('(<DAV:no-lock>)')).toBe(false);
  });

  it('evaluates tagged lists against their own resource', () => {
    expect(evalIf('</other> (<urn:uuid:other>)')).toBe(true);
    expect(evalIf(`</other> (<${TOKEN}>)`)).toBe(false);
    expect(evalIf('</other> (["other"])')).toBe(true); // W/ dropped on the resource side
    expect(evalIf('</other> ([W/"other"])')).toBe(true);
    expect(evalIf(`</other> ([${ETAG}])`)).toBe(false);
    expect(evalIf(`</other> (<urn:uuid:nope>) <http://h/dav/x> (<${TOKEN}>)`)).toBe(false);
    expect(evalIf(`</nope> (<urn:uuid:nope>) </other> (<urn:uuid:other>)`)).toBe(true);
  });

  it('treats a resource without an entity-tag as matching no entity-tag', () => {
    expect(evalIf('</none> (["x"])')).toBe(false);
    expect(evalIf('</none> (Not ["x"])')).toBe(true);
  });

  it('never matches a condition on an unmapped resource, so its Not is true', () => {
    expect(evalIf(`</unmapped> (<${TOKEN}>)`)).toBe(false);
    expect(evalIf(`</unmapped> ([${ETAG}])`)).toBe(false);
    expect(evalIf(`</unmapped> (Not <${TOKEN}>)`)).toBe(true);
    expect(evalIf(`</unmapped> (Not [${ETAG}] Not <urn:x>)`)).toBe(true);
    expect(evaluateIf(parseIfHeader(`(<${TOKEN}>)`), () => undefined)).toBe(false);
  });

  it('looks each resource up once', () => {
    const seen: (string | null)[] = [];
    const lists = parseIfHeader('</a> (<urn:x>) (<urn:y>) </b> (<urn:z>) </a> (<urn:w>)');
    evaluateIf(lists, (r) => {
      seen.push(r);
      return undefined;
    });
    expect(seen).toEqual(['/a', '/b']);
  });
});

describe('resourcesOf and submittedTokens', () => {
  it('lists each resource once, null for untagged', () => {
    expect(resourcesOf(parseIfHeader('(<urn:a>) (["e"])'))).toEqual([null]);
    expect(resourcesOf(parseIfHeader('</a> (<urn:a>) </b> (<urn:b>) </a> (<urn:c>)'))).toEqual(['/a', '/b']);
    expect(resourcesOf([])).toEqual([]);
  });

  it('collects non-negated tokens once each, in order', () => {
    const lists: IfList[] = parseIfHeader(
      `</a> (<${TOKEN}> ["e"]) (Not <urn:neg> <urn:b>) </b> (<urn:b> <${TOKEN}>) (Not <DAV:no-lock>)`,
    );
    expect(submittedTokens(lists)).toEqual([TOKEN, 'urn:b']);
    expect(submittedTokens(parseIfHeader('(["e"]) (Not <urn:x>)'))).toEqual([]);
  });
});
