import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LoftError } from '../src/errors.js';
import {
  DEFAULT_XML_LIMITS,
  childElements,
  escapeXml,
  findChild,
  parseXml,
  readXmlBody,
  serializeChildren,
  serializeElement,
  textOf,
  type XmlElement,
  type XmlLimits,
  type XmlNode,
} from '../src/http/dav/dav-xml.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function parse(xml: string | Buffer, limits?: Partial<XmlLimits>): XmlElement {
  const el = parseXml(xml, limits);
  if (el === null) throw new Error('expected an element, got no body');
  return el;
}

/** The LoftError a call throws; fails the test when it does not throw one. */
function loftErrorOf(fn: () => unknown): LoftError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoftError);
    return e as LoftError;
  }
  throw new Error('expected a LoftError, nothing was thrown');
}

function rejects400(body: string | Buffer, limits?: Partial<XmlLimits>): string {
  const err = loftErrorOf(() => parseXml(body, limits));
  expect(err.status).toBe(400);
  return err.message;
}

/** Attribute prefixes are presentation only; the serializer picks its own. */
function withoutPrefixes(node: XmlNode): XmlNode {
  if (typeof node === 'string') return node;
  return {
    ns: node.ns,
    local: node.local,
    attrs: node.attrs.map((a) => ({ ...a, prefix: '' })),
    children: node.children.map(withoutPrefixes),
  };
}

function expectRoundTrip(xml: string): XmlElement {
  const original = parse(xml);
  const written = serializeElement(original);
  const reread = parse(written);
  expect(withoutPrefixes(reread)).toEqual(withoutPrefixes(original));
  expect(serializeElement(reread)).toBe(written);
  return original;
}

const E = (ns: string, local: string, children: XmlNode[] = [], attrs: XmlElement['attrs'] = []) => ({
  ns,
  local,
  attrs,
  children,
});

describe('parseXml: WebDAV bodies', () => {
  it('reads a PROPFIND prop request with DAV: and custom namespaces', () => {
    const root = parse(
      `<?xml version="1.0" encoding="utf-8" ?>
<D:propfind xmlns:D="DAV:" xmlns:Z="http://ns.example.com/z/">
  <D:prop>
    <D:getetag/>
    <D:displayname/>
    <Z:color/>
  </D:prop>
</D:propfind>`,
    );
    expect(root.ns).toBe('DAV:');
    expect(root.local).toBe('propfind');
    expect(root.attrs).toEqual([]);
    const prop = findChild(root, 'DAV:', 'prop')!;
    expect(childElements(prop).map((e) => `${e.ns} ${e.local}`)).toEqual([
      'DAV: getetag',
      'DAV: displayname',
      'http://ns.example.com/z/ color',
    ]);
    // Whitespace between elements is kept, so callers must use childElements.
    expect(prop.children.length).toBe(7);
    expect(findChild(root, 'DAV:', 'allprop')).toBeUndefined();
    expect(findChild(prop, 'http://other/', 'color')).toBeUndefined();
  });

  it('reads allprop (with include), propname, and a default namespace', () => {
    const allprop = parse('<propfind xmlns="DAV:"><allprop/><include><supported-lock/></include></propfind>');
    expect(childElements(allprop).map((e) => e.local)).toEqual(['allprop', 'include']);
    expect(findChild(findChild(allprop, 'DAV:', 'include')!, 'DAV:', 'supported-lock')).toBeDefined();
    const propname = parse('<A:propfind xmlns:A="DAV:"><A:propname/></A:propfind>');
    expect(propname).toEqual(E('DAV:', 'propfind', [E('DAV:', 'propname')]));
  });

  it('reads PROPPATCH set/remove with structured values in other namespaces', () => {
    const root = parse(
      `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://ns.example.com/standards/z39.50/">
  <D:set>
    <D:prop>
      <Z:Authors xmlns:Q="urn:q"><Z:Author Q:role="lead">Jim Whitehead</Z:Author><Z:Author>Roy Fielding</Z:Author><Q:note xml:lang="en">x</Q:note></Z:Authors>
    </D:prop>
  </D:set>
  <D:remove><D:prop><Z:Copyright-Owner/></D:prop></D:remove>
</D:propertyupdate>`,
    );
    const [set, remove] = childElements(root);
    expect(set!.local).toBe('set');
    expect(remove!.local).toBe('remove');
    const authors = childElements(findChild(set!, 'DAV:', 'prop')!)[0]!;
    const Z = 'http://ns.example.com/standards/z39.50/';
    expect(authors).toEqual(
      E(Z, 'Authors', [
        E(Z, 'Author', ['Jim Whitehead'], [{ ns: 'urn:q', local: 'role', prefix: 'Q', value: 'lead' }]),
        E(Z, 'Author', ['Roy Fielding']),
        E('urn:q', 'note', ['x'], [{ ns: XML_NS, local: 'lang', prefix: 'xml', value: 'en' }]),
      ]),
    );
    expect(textOf(authors)).toBe('Jim WhiteheadRoy Fieldingx');
    expect(childElements(findChild(remove!, 'DAV:', 'prop')!)[0]).toEqual(E(Z, 'Copyright-Owner'));
  });

  it('keeps mixed content and whitespace exactly', () => {
    const el = parse('<Z:note xmlns:Z="urn:z">  Hello <Z:b> bold </Z:b> world\n\t<Z:i/>\n</Z:note>');
    expect(el.children).toEqual([
      '  Hello ',
      E('urn:z', 'b', [' bold ']),
      ' world\n\t',
      E('urn:z', 'i'),
      '\n',
    ]);
    const ws = parse('<Z:v xmlns:Z="urn:z">   </Z:v>');
    expect(ws.children).toEqual(['   ']);
    expect(textOf(el)).toBe('  Hello  bold  world\n\t\n');
  });

  it('normalises line ends in text and whitespace in attributes, but keeps character references', () => {
    const el = parse('<a b="x\ty\nz" c="&#9;&#10;&#13;">x\r\ny\rz&#13;</a>');
    expect(el.attrs.map((a) => a.value)).toEqual(['x y z', '\t\n\r']);
    expect(el.children).toEqual(['x\ny\nz\r']);
    expectRoundTrip('<a b="x\ty\nz" c="&#9;&#10;&#13;">x\r\ny\rz&#13;</a>');
  });

  it('resolves the empty namespace', () => {
    expect(parse('<x xmlns=""/>')).toEqual(E('', 'x'));
    expect(parse('<x/>')).toEqual(E('', 'x'));
    const el = parse('<D:prop xmlns:D="DAV:" xmlns="urn:default"><foo xmlns=""><bar/></foo><baz/></D:prop>');
    expect(el.children).toEqual([E('', 'foo', [E('', 'bar')]), E('urn:default', 'baz')]);
  });

  it('reads attributes with their namespaces and drops namespace declarations', () => {
    const el = parse('<a xmlns:p="urn:p" xmlns="urn:d" p:x="1" y="2" xml:lang="fr" xml:space="preserve"/>');
    expect(el).toEqual(
      E(
        'urn:d',
        'a',
        [],
        [
          { ns: 'urn:p', local: 'x', prefix: 'p', value: '1' },
          { ns: '', local: 'y', prefix: '', value: '2' },
          { ns: XML_NS, local: 'lang', prefix: 'xml', value: 'fr' },
          { ns: XML_NS, local: 'space', prefix: 'xml', value: 'preserve' },
        ],
      ),
    );
  });

  it('reads high Unicode from bytes and character references', () => {
    const el = parse(
      Buffer.from('<Z:été xmlns:Z="urn:z" Z:a="😀">😀 &#x10FFFF; \u{10FFFD} 中文</Z:été>', 'utf8'),
    );
    expect(el.local).toBe('été');
    expect(el.attrs[0]!.value).toBe('😀');
    expect(el.children).toEqual(['😀 \u{10FFFF} \u{10FFFD} 中文']);
  });

  it('folds CDATA into the surrounding text and ignores comments and processing instructions', () => {
    const el = parse(
      '<?pi before?><!-- c --><a>x<![CDATA[<b>&amp;]]>y<!-- z -->w<?pi in?><![CDATA[]]></a><!-- after -->',
    );
    expect(el.children).toEqual(['x<b>&amp;yw']);
    expect(parse('<a><![CDATA[]]></a>').children).toEqual([]);
    expect(serializeElement(el)).toBe('<a xmlns="">x&lt;b&gt;&amp;amp;yw</a>');
  });

  it('decodes UTF-8 with a BOM, UTF-16 with a BOM and declared single-byte encodings', () => {
    expect(parse(Buffer.from('\uFEFF<a>é</a>', 'utf8')).children).toEqual(['é']);
    expect(parse(Buffer.from('\uFEFF<a>é😀</a>', 'utf16le')).children).toEqual(['é😀']);
    const latin1 = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>'),
      Buffer.from([0xe9]),
      Buffer.from('</a>'),
    ]);
    expect(parse(latin1).children).toEqual(['é']);
    rejects400(Buffer.from('<?xml version="1.0" encoding="klingon"?><a/>'));
  });

  it('treats an empty or whitespace-only body as no body', () => {
    for (const body of [
      '',
      ' \r\n\t ',
      Buffer.alloc(0),
      Buffer.from('\n\n'),
      Buffer.from('\uFEFF', 'utf8'),
    ]) {
      expect(parseXml(body)).toBeNull();
    }
  });
});

describe('parseXml: hostile and broken input', () => {
  const doctypeMessage = 'Document type declarations are not allowed.';

  it('refuses the billion laughs', () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<D:propfind xmlns:D="DAV:"><D:prop><D:x>&lol9;</D:x></D:prop></D:propfind>`;
    expect(rejects400(lol)).toBe(doctypeMessage);
  });

  it('refuses external entities and any DOCTYPE', () => {
    expect(rejects400('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')).toBe(
      doctypeMessage,
    );
    expect(rejects400('<!DOCTYPE a><a/>')).toBe(doctypeMessage);
    expect(
      rejects400('<!DOCTYPE D:propfind PUBLIC "-//x//y" "http://evil/dtd"><D:propfind xmlns:D="DAV:"/>'),
    ).toBe(doctypeMessage);
    expect(rejects400('<!DOCTYPE a [<!ENTITY x "never ends"')).toBe(doctypeMessage);
  });

  it('refuses undefined entities and bad character references', () => {
    rejects400('<a>&foo;</a>');
    rejects400('<a b="&foo;"/>');
    rejects400('<a>&#0;</a>');
    rejects400('<a>&#xD800;</a>');
    rejects400('<a>&#xFFFE;</a>');
    rejects400('<a>& b</a>');
  });

  it('refuses namespace errors', () => {
    expect(rejects400('<p:a/>')).toMatch(/unbound namespace prefix/);
    rejects400('<a p:b="1"/>');
    rejects400('<a xmlns:a=""/>');
    // XML 1.1 would allow undeclaring a prefix; the parser holds every document to XML 1.0.
    rejects400('<?xml version="1.1"?><a xmlns:p="urn:p"><p:b xmlns:p=""/></a>');
    rejects400('<a xmlns:p="http://www.w3.org/2000/xmlns/"/>');
    rejects400('<a xmlns="http://www.w3.org/XML/1998/namespace"/>');
    rejects400('<a p:b="1" q:b="2" xmlns:p="urn:u" xmlns:q="urn:u"/>');
  });

  it('refuses broken structure', () => {
    for (const bad of [
      '<a>',
      '<a><b></a>',
      '<a></b>',
      '<a',
      '<a/><b/>',
      '<a/>text',
      'text<a/>',
      '<a/>&amp;',
      '<a b="1" b="2"/>',
      '<a>]]></a>',
      '<a>\u0001</a>',
      '<a>\uFFFF</a>',
      '<a>\uD800</a>',
      '{"json": true}',
      'not xml at all',
      '<?xml version="1.0"?>',
      ' <?xml version="1.0"?><a/>',
    ]) {
      expect(rejects400(bad), bad).toBeTruthy();
    }
  });

  it('refuses garbage and invalid UTF-8', () => {
    expect(rejects400(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]))).toBe(
      'The XML body is not valid UTF-8.',
    );
    rejects400(Buffer.from([0x3c, 0x61, 0x3e, 0xc0, 0xaf, 0x3c, 0x2f, 0x61, 0x3e])); // overlong '/'
    rejects400(Buffer.from([0x3c, 0x61, 0x3e, 0xed, 0xa0, 0x80, 0x3c, 0x2f, 0x61, 0x3e])); // encoded surrogate
    rejects400(Buffer.from([0xff, 0xfe, 0x3c])); // truncated UTF-16
    let seed = 42;
    for (let n = 0; n < 50; n++) {
      const bytes = Buffer.alloc(64);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff;
      bytes[0] = 0x3c; // looks like markup, so it is not mistaken for an empty body
      rejects400(bytes);
    }
  });

  it('refuses 100,000 nested elements without overflowing the stack', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(rejects400(deep)).toBe('The XML body is nested too deeply.');
    parse('<a>'.repeat(64) + '</a>'.repeat(64));
    rejects400('<a>'.repeat(65) + '</a>'.repeat(65));
    rejects400('<a>'.repeat(6) + '</a>'.repeat(6), { maxDepth: 5 });
  });

  it('refuses too many elements, counting text nodes too', () => {
    const many = `<a>${'<b/>'.repeat(DEFAULT_XML_LIMITS.maxNodes)}</a>`;
    expect(rejects400(many)).toBe('The XML body has too many elements.');
    expect(parse('<a><b/><b/></a>', { maxNodes: 3 }).children.length).toBe(2);
    rejects400('<a><b/>x<b/></a>', { maxNodes: 3 });
  });

  it('refuses a body over maxBytes', () => {
    expect(rejects400(`<a>${'x'.repeat(100)}</a>`, { maxBytes: 100 })).toBe(
      'The XML body is larger than 100 bytes.',
    );
    expect(parse('<a>é</a>', { maxBytes: 9 }).children).toEqual(['é']);
    rejects400('<a>é</a>', { maxBytes: 8 }); // é is two bytes
  });
});

describe('readXmlBody', () => {
  it('collects the chunks of a stream', async () => {
    const body = await readXmlBody(Readable.from([Buffer.from('<a>'), 'é', Buffer.from('</a>')]));
    expect(body.toString('utf8')).toBe('<a>é</a>');
    expect(parse(body).children).toEqual(['é']);
    expect((await readXmlBody(Readable.from([]))).length).toBe(0);
  });

  it('accepts exactly maxBytes and refuses one byte more', async () => {
    const ok = await readXmlBody(Readable.from([Buffer.alloc(6, 0x20), Buffer.alloc(4, 0x20)]), 10);
    expect(ok.length).toBe(10);
    await expect(readXmlBody(Readable.from([Buffer.alloc(6), Buffer.alloc(5)]), 10)).rejects.toMatchObject({
      status: 400,
      message: 'The XML body is larger than 10 bytes.',
    });
  });

  it('refuses a body over the default 1 MiB', async () => {
    const chunks = Array.from({ length: 17 }, () => Buffer.alloc(64 * 1024, 0x20));
    const err = await readXmlBody(Readable.from(chunks)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoftError);
    expect((err as LoftError).status).toBe(400);
    expect((err as LoftError).message).toBe('The XML body is larger than 1 MiB.');
  });

  it('passes stream errors through', async () => {
    const stream = new Readable({ read() {} });
    const pending = readXmlBody(stream);
    stream.destroy(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
  });
});

describe('serializeElement and serializeChildren', () => {
  const documents = [
    '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><Z:color xmlns:Z="urn:z"/></D:prop></D:propfind>',
    '<propfind xmlns="DAV:"><allprop/></propfind>',
    '<propfind xmlns="DAV:"><propname/></propfind>',
    `<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>
       <Z:Authors xmlns:Q="urn:q"><Z:Author Q:role="lead">Jim</Z:Author> and <Z:Author>Roy</Z:Author></Z:Authors>
     </D:prop></D:set><D:remove><D:prop><Z:old/></D:prop></D:remove></D:propertyupdate>`,
    '<Z:note xmlns:Z="urn:z">  Hello <Z:b> bold </Z:b> world\n\t<Z:i/>\n</Z:note>',
    '<x xmlns=""/>',
    '<a xmlns="urn:a"><b xmlns=""><c xmlns="urn:c" d="1"/></b></a>',
    '<a xml:lang="en" xmlns:p="urn:p" p:x="&lt;&amp;&gt;&quot;&apos;" y="a&#9;b&#10;c&#13;d">\u{10FFFF}😀</a>',
    '<a>x<![CDATA[ <not-a-tag> ]]>y &#13; z\r\n</a>',
    '<a>]]&gt; and ]] and &gt;</a>',
    '<p:a xmlns:p="urn:&quot;weird&quot;&amp;&lt;"/>',
    '<a xmlns:x0="urn:taken" xmlns:x1="urn:also"><x1:b x0:c="1"/><x0:d/></a>',
    '<a xmlns:p="urn:same" xmlns:q="urn:same"><p:b q:c="1"/><q:b/></a>',
    '<é xmlns="urn:ü"><ö/></é>',
  ];

  it('round-trips parse(serialize(x)) for many documents', () => {
    for (const xml of documents) expectRoundTrip(xml);
  });

  it('declares namespaces on the root with generated prefixes, never a default namespace', () => {
    const written = serializeElement(
      parse(
        '<D:multistatus xmlns:D="DAV:"><D:response><Z:p xmlns:Z="urn:z" xml:lang="en"/></D:response></D:multistatus>',
      ),
    );
    expect(written).toBe(
      '<x0:multistatus xmlns:x0="DAV:" xmlns:x1="urn:z"><x0:response><x1:p xml:lang="en"/></x0:response></x0:multistatus>',
    );
    for (const xml of documents) {
      const out = serializeElement(parse(xml));
      expect(out).not.toMatch(/xmlns="[^"]/);
      expect(out).not.toMatch(/xmlns:xml=/);
      // Every declaration sits on the root start tag.
      const rootTag = out.slice(0, out.indexOf('>') + 1);
      expect(out.split('xmlns').length).toBe(rootTag.split('xmlns').length);
    }
  });

  it('writes xmlns="" only when an element has no namespace', () => {
    expect(serializeElement(parse('<D:a xmlns:D="DAV:" b="1"/>'))).toBe('<x0:a xmlns:x0="DAV:" b="1"/>');
    expect(serializeElement(parse('<D:a xmlns:D="DAV:"><b/></D:a>'))).toBe(
      '<x0:a xmlns="" xmlns:x0="DAV:"><b/></x0:a>',
    );
    // Embedded under a default namespace, the no-namespace element still means the same.
    const embedded = parse(`<r xmlns="urn:outer">${serializeElement(E('', 'plain', ['v']))}</r>`);
    expect(embedded.children).toEqual([E('', 'plain', ['v'])]);
  });

  it('serializes children with declarations on each top-level element', () => {
    const value = parse('<Z:v xmlns:Z="urn:z" xmlns:Q="urn:q">a <Q:b>1</Q:b> c <Z:d/> &#13;</Z:v>');
    const inner = serializeChildren(value);
    expect(inner).toBe('a <x0:b xmlns:x0="urn:q">1</x0:b> c <x0:d xmlns:x0="urn:z"/> &#13;');
    const rewrapped = parse(`<D:prop xmlns:D="DAV:">${inner}</D:prop>`);
    expect(rewrapped.children).toEqual(value.children);
    expect(serializeChildren(E('', 'empty'))).toBe('');
  });

  it('writes programmatic trees safely', () => {
    const el = E(
      'DAV:',
      'prop',
      ['bad\u0000text\uFFFE'],
      [
        { ns: 'http://www.w3.org/2000/xmlns/', local: 'D', prefix: 'xmlns', value: 'urn:other' },
        { ns: '', local: 'xmlns', prefix: '', value: 'urn:other' },
        { ns: XML_NS, local: 'lang', prefix: 'xml', value: 'de' },
        { ns: 'urn:a', local: 'v', prefix: 'a', value: 'tab\there\u0007' },
      ],
    );
    const out = serializeElement(el);
    expect(out).toBe(
      '<x0:prop xmlns:x0="DAV:" xmlns:x1="urn:a" xml:lang="de" x1:v="tab&#9;here">badtext</x0:prop>',
    );
    expect(parse(out).attrs.map((a) => a.value)).toEqual(['de', 'tab\there']);
  });

  it('handles deep trees without recursion', () => {
    let deep: XmlElement = E('urn:d', 'leaf', ['x']);
    for (let i = 0; i < 100_000; i++) deep = E(i % 2 ? 'urn:d' : '', 'n', [deep, 'y']);
    const out = serializeElement(deep);
    expect(out.startsWith('<x0:n xmlns="" xmlns:x0="urn:d"><n><x0:n>')).toBe(true);
    expect(textOf(deep)).toBe(`x${'y'.repeat(100_000)}`);

    const depth = 2_000;
    const xml = '<n xmlns="urn:d">'.repeat(depth) + 'x' + '</n>'.repeat(depth);
    const parsed = parse(xml, { maxDepth: depth, maxBytes: 10_000_000 });
    const written = serializeElement(parsed);
    expect(serializeElement(parse(written, { maxDepth: depth, maxBytes: 10_000_000 }))).toBe(written);
  });

  it('serializes 10,000 elements quickly', () => {
    const wide = E('DAV:', 'multistatus');
    for (let i = 0; i < 10_000; i++) {
      wide.children.push(
        E(
          i % 2 ? 'urn:a' : 'DAV:',
          `p${i}`,
          [`value & ${i}`],
          [{ ns: 'urn:b', local: 'x', prefix: 'b', value: 'v' }],
        ),
      );
    }
    serializeElement(wide); // warm-up
    const start = performance.now();
    const out = serializeElement(wide);
    // Generous for slow CI machines; it takes a few ms.
    expect(performance.now() - start).toBeLessThan(250);
    expect(childElements(parse(out, { maxBytes: 10_000_000 })).length).toBe(10_000);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters and a carriage return', () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>\r`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;&#13;',
    );
    expect(escapeXml('plain text, tab\tand newline\n')).toBe('plain text, tab\tand newline\n');
  });

  it('strips characters XML 1.0 does not allow', () => {
    const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    expect(escapeXml(`a${controls}b`)).toBe('a\t\n&#13;b');
    expect(escapeXml('x\uFFFEy\uFFFFz')).toBe('xyz');
    expect(escapeXml('lone \uD800 high, lone \uDC00 low, end \uD83D')).toBe('lone  high, lone  low, end ');
    expect(escapeXml('\uDC00\uD800')).toBe('');
    expect(escapeXml('kept: 😀 \u{10FFFF} \u0085 \uFFFD é')).toBe('kept: 😀 \u{10FFFF} \u0085 \uFFFD é');
  });

  it('always produces text that parses back', () => {
    let all = '';
    for (let c = 0; c < 0x110; c++) all += String.fromCharCode(c);
    all += '\uD7FF\uD800\uDBFF\uDC00\uDFFF\uE000\uFFFD\uFFFE\uFFFF😀';
    const parsed = parse(`<a b="${escapeXml(all)}">${escapeXml(all)}</a>`);
    expect(parsed.children).toHaveLength(1);
    expect(parsed.attrs).toHaveLength(1);
  });
});
