export type FileKind = 'folder' | 'image' | 'video' | 'audio' | 'document' | 'archive' | 'code' | 'other';

const byExt: Record<string, FileKind> = {};
const add = (kind: FileKind, exts: string) => exts.split(' ').forEach((e) => (byExt[e] = kind));
add('image', 'png jpg jpeg gif webp avif bmp svg tif tiff heic heif ico raw cr2 nef psd');
add('video', 'mp4 m4v mov mkv webm avi wmv flv mpg mpeg 3gp ogv');
add('audio', 'mp3 m4a aac wav flac ogg oga opus wma aiff mid midi');
add('document', 'pdf doc docx odt rtf txt md xls xlsx ods csv ppt pptx odp epub pages numbers key tex log');
add('archive', 'zip tar gz tgz bz2 xz zst 7z rar iso dmg deb rpm jar apk');
add(
  'code',
  'js mjs cjs ts tsx jsx json yaml yml toml xml html htm css scss less py rb go rs java kt c h cpp hpp cs php sh bash zsh sql swift lua pl r ipynb dockerfile makefile ini conf',
);

/** What icon a file gets: its extension first (what people see), then the sniffed MIME type. */
export function fileKind(name: string, kind: 'file' | 'folder', contentType: string | null): FileKind {
  if (kind === 'folder') return 'folder';
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : name.toLowerCase();
  const known = byExt[ext];
  if (known) return known;
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('image/')) return 'image';
  if (ct.startsWith('video/')) return 'video';
  if (ct.startsWith('audio/')) return 'audio';
  if (ct.startsWith('text/') || ct === 'application/pdf') return 'document';
  if (/zip|tar|compress|x-7z|rar|gzip/.test(ct)) return 'archive';
  if (/json|javascript|xml|x-sh/.test(ct)) return 'code';
  return 'other';
}
