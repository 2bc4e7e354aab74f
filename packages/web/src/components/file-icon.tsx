import {
  File,
  FileArchive,
  FileAudio,
  FileCode,
  FileImage,
  FileText,
  FileVideo,
  Folder,
  type LucideIcon,
} from 'lucide-react';
import { fileKind, type FileKind } from '../lib/file-kind.js';

const icons: Record<FileKind, LucideIcon> = {
  folder: Folder,
  image: FileImage,
  video: FileVideo,
  audio: FileAudio,
  document: FileText,
  archive: FileArchive,
  code: FileCode,
  other: File,
};

export function FileIcon(props: {
  name: string;
  kind: 'file' | 'folder';
  contentType: string | null;
  size?: number;
}) {
  const k = fileKind(props.name, props.kind, props.contentType);
  const Icon = icons[k];
  return (
    <span className={`file-icon kind-${k}`} data-kind={k} aria-hidden="true">
      <Icon
        size={props.size ?? 20}
        strokeWidth={1.75}
        fill={k === 'folder' ? 'currentColor' : 'none'}
        fillOpacity={0.18}
      />
    </span>
  );
}
