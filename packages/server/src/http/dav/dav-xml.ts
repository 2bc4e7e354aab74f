/**
 * Reading and writing the XML bodies of WebDAV (RFC 4918).
 *
 * Request bodies are attacker-controlled, so parsing is strict and bounded: DOCTYPEs are refused
 * (no entity expansion, no external entities), and size, depth and node count are capped. Every
 * failure surfaces as a 400 LoftError. The tree keeps whitespace and mixed content exactly, because
 * PROPPATCH stores property values verbatim and must hand them back unchanged in PROPFIND.
 */
import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';
import { errors, isLoftError, type LoftError } from '../../errors.js';

export type XmlNode = XmlElement | string;
export interface XmlAttr {
  ns: string;
  local: string;
  prefix: string;
  value: string;
}
export interface XmlElement {
  ns: string;
  local: string;
  attrs: XmlAttr[];
  children: XmlNode[];
}
export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxNodes: 50_000 };

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

const invalidXml = (message: string): LoftError => errors.invalidXml(message);

function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

const tooLarge = (maxBytes: number) => invalidXml(`The XML body is larger than ${sizeLabel(maxBytes)}.`);

/** Reads a request body fully, but never more than maxBytes (beyond it: a 400, and the rest is discarded). */
export async function readXmlBody(
  stream: NodeJS.ReadableStream,
  maxBytes: number = DEFAULT_XML_LIMITS.maxBytes,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const detach = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
    };
    const onData = (chunk: unknown) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      if (size > maxBytes) {
        detach();
        // Drain and discard the rest rather than destroying the stream: destroying an unfinished
        // request kills the socket, and the client would never see the 400.
        stream.on('error', () => {});
        stream.resume();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(buf);
    };
    const onEnd = () => {
      detach();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: unknown) => {
      detach();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.resume();
  });
}

/** Turns the bytes into text: BOM first (UTF-8/UTF-16), then an ASCII-compatible encoding declaration. */
function decode(body: Buffer): string {
  let label = 'utf-8';
  if (body[0] === 0xff && body[1] === 0xfe) label = 'utf-16le';
  else if (body[0] === 0xfe && body[1] === 0xff) label = 'utf-16be';
  else if (!(body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)) {
    const declared = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']/.exec(
      body.subarray(0, 200).toString('latin1'),
    )?.[1];
    if (declared !== undefined) label = declared.toLowerCase();
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw invalidXml(`The XML encoding "${label}" is not supported; use UTF-8.`);
  }
  // A UTF-16 declaration on a body without a BOM was already read as ASCII above, so it cannot be UTF-16.
  if (decoder.encoding.startsWith('utf-16') && !(body[0] === 0xff || body[0] === 0xfe)) {
    throw invalidXml('A UTF-16 XML body must start with a byte order mark.');
  }
  try {
    return decoder.decode(body);
  } catch {
    throw invalidXml(`The XML body is not valid ${decoder.encoding.toUpperCase()}.`);
  }
}

const DOCTYPE_MESSAGE = 'Document type declarations are not allowed.';

/**
 * Parses a WebDAV XML body. An empty or whitespace-only body is "no body": null. Anything that is
 * not a well-formed, namespace-well-formed XML 1.0 document throws a 400 LoftError.
 */
export function parseXml(body: Buffer | string, limits: Partial<XmlLimits> = {}): XmlElement | null {
  const { maxBytes, maxDepth, maxNodes } = { ...DEFAULT_XML_LIMITS, ...limits };
  const size = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  if (size > maxBytes) throw tooLarge(maxBytes);
  // Decoded bytes never hold lone surrogates; a caller's string might, and saxes mis-reads them.
  if (typeof body === 'string' && /[\uD800-\uDFFF]/u.test(body)) {
    throw invalidXml('The XML body contains an unpaired surrogate.');
  }
  const text = typeof body === 'string' ? body.replace(/^\uFEFF/, '') : decode(body);
  if (/^[ \t\r\n]*$/.test(text)) return null;

  // XML 1.1 would allow undeclaring prefixes and more control characters; nobody needs it.
  const parser = new SaxesParser({ xmlns: true, forceXMLVersion: true, defaultXMLVersion: '1.0' });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  // Text arrives in pieces (around comments, CDATA sections); join them into one node.
  let pending = '';
  let nodes = 0;
  const count = () => {
    if (++nodes > maxNodes) throw invalidXml('The XML body has too many elements.');
  };
  const flush = () => {
    if (pending === '') return;
    const top = stack[stack.length - 1];
    if (top) {
      count();
      top.children.push(pending);
    }
    pending = '';
  };
  const onText = (t: string) => {
    // Outside the root only whitespace gets here (saxes rejects the rest); it is not content.
    if (stack.length > 0) pending += t;
  };
  parser.on('doctype', () => {
    throw invalidXml(DOCTYPE_MESSAGE);
  });
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('opentagstart', () => {
    flush();
    if (stack.length >= maxDepth) throw invalidXml('The XML body is nested too deeply.');
    count();
  });
  parser.on('opentag', (tag) => {
    const attrs: XmlAttr[] = [];
    for (const a of Object.values(tag.attributes)) {
      if (a.uri === XMLNS_NS || a.name === 'xmlns') continue;
      attrs.push({ ns: a.uri, local: a.local, prefix: a.prefix, value: a.value });
    }
    const el: XmlElement = { ns: tag.uri, local: tag.local, attrs, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    flush();
    stack.pop();
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (isLoftError(e)) throw e;
    // saxes reports an unfinished DOCTYPE as a generic syntax error; name the real reason.
    if (root === null && text.includes('<!DOCTYPE')) throw invalidXml(DOCTYPE_MESSAGE);
    const raw = e instanceof Error ? e.message : String(e);
    const at = /^(\d+):(\d+): ([\s\S]*?)\.?$/.exec(raw);
    const detail = at ? ` at line ${at[1]}, column ${at[2]}: ${at[3]}` : `: ${raw}`;
    throw invalidXml(`The XML body is not well-formed${detail}.`);
  }
  if (root === null) throw invalidXml('The XML body has no root element.');
  return root;
}

/** The element children, without the text (usually indentation) between them. */
export function childElements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

export function findChild(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) {
    if (typeof c !== 'string' && c.ns === ns && c.local === local) return c;
  }
  return undefined;
}

/** The concatenated text of the subtree. */
export function textOf(el: XmlElement): string {
  let text = '';
  // Iterative, not recursive: a deep tree must not overflow the call stack.
  const frames: { nodes: XmlNode[]; i: number }[] = [{ nodes: el.children, i: 0 }];
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    if (top.i === top.nodes.length) {
      frames.pop();
      continue;
    }
    const node = top.nodes[top.i++]!;
    if (typeof node === 'string') text += node;
    else if (node.children.length > 0) frames.push({ nodes: node.children, i: 0 });
  }
  return text;
}

/** Replacement per code point below 0x40: undefined keeps it, '' drops a character XML 1.0 forbids. */
function escapeTable(attr: boolean): (string | undefined)[] {
  const table: (string | undefined)[] = [];
  for (let c = 0; c < 0x20; c++) table[c] = '';
  Object.assign(table, { 0x22: '&quot;', 0x26: '&amp;', 0x27: '&apos;', 0x3c: '&lt;', 0x3e: '&gt;' });
  table[0x0d] = '&#13;';
  // A parser normalises a literal tab or newline in an attribute value to a space.
  table[0x09] = attr ? '&#9;' : undefined;
  table[0x0a] = attr ? '&#10;' : undefined;
  return table;
}
const TEXT_TABLE = escapeTable(false);
const ATTR_TABLE = escapeTable(true);

// A hand-written scan: this runs on every text node and attribute of every response, and a
// regex replace with a callback is several times slower on the common nothing-to-escape case.
function escapeWith(text: string, table: (string | undefined)[]): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x40) {
      rep = table[c];
      if (rep === undefined) continue;
    } else if (c < 0xd800 || (c >= 0xe000 && c < 0xfffe)) {
      continue;
    } else if (c < 0xdc00) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next < 0xe000) {
        i++;
        continue;
      }
      rep = '';
    } else {
      // A lone low surrogate, U+FFFE or U+FFFF.
      rep = '';
    }
    out += text.slice(last, i) + rep;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Escapes for text and attribute values. A CR becomes &#13; so that it survives parsing. */
export function escapeXml(text: string): string {
  return escapeWith(text, TEXT_TABLE);
}

const escapeAttr = (value: string) => escapeWith(value, ATTR_TABLE);

function writeElement(root: XmlElement): string {
  const prefixes = new Map<string, string>();
  let usesNoNamespace = false;
  const qname = (ns: string, local: string): string => {
    if (ns === XML_NS) return `xml:${local}`;
    let prefix = prefixes.get(ns);
    if (prefix === undefined) {
      prefix = `x${prefixes.size}`;
      prefixes.set(ns, prefix);
    }
    return `${prefix}:${local}`;
  };
  const nameOf = (el: XmlElement): string => {
    if (el.ns !== '') return qname(el.ns, el.local);
    usesNoNamespace = true;
    return el.local;
  };
  const attrsOf = (el: XmlElement): string => {
    let s = '';
    for (const a of el.attrs) {
      // Namespace declarations are the serializer's job; copying them could contradict its own.
      if (a.ns === XMLNS_NS || (a.ns === '' && a.local === 'xmlns')) continue;
      s += ` ${a.ns === '' ? a.local : qname(a.ns, a.local)}="${escapeAttr(a.value)}"`;
    }
    return s;
  };

  const rootName = nameOf(root);
  const rootAttrs = attrsOf(root);
  let body = '';
  // Iterative, not recursive: a deep tree must not overflow the call stack.
  const frames: { nodes: XmlNode[]; i: number; name: string }[] = [];
  if (root.children.length > 0) frames.push({ nodes: root.children, i: 0, name: rootName });
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    if (top.i === top.nodes.length) {
      frames.pop();
      body += `</${top.name}>`;
      continue;
    }
    const node = top.nodes[top.i++]!;
    if (typeof node === 'string') {
      body += escapeXml(node);
      continue;
    }
    const name = nameOf(node);
    body += `<${name}${attrsOf(node)}`;
    if (node.children.length === 0) {
      body += '/>';
    } else {
      body += '>';
      frames.push({ nodes: node.children, i: 0, name });
    }
  }
  // Declared on the root only, now that every namespace in the subtree is known.
  let declarations = usesNoNamespace ? ' xmlns=""' : '';
  for (const [ns, prefix] of prefixes) declarations += ` xmlns:${prefix}="${escapeAttr(ns)}"`;
  return `<${rootName}${declarations}${rootAttrs}${body === '' ? '/>' : `>${body}`}`;
}

/**
 * A standalone fragment that declares every namespace it uses on its root (prefixes x0, x1, ...),
 * so it can be embedded anywhere, e.g. a stored dead property inside a multistatus response.
 */
export function serializeElement(el: XmlElement): string {
  return writeElement(el);
}

/** The inner XML of `el`; each top-level child element declares its own namespaces. */
export function serializeChildren(el: XmlElement): string {
  let out = '';
  for (const c of el.children) out += typeof c === 'string' ? escapeXml(c) : writeElement(c);
  return out;
}
