import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ChainloopError } from '../errors';
import type { MaterialInput } from './kind';
import {
  MATERIAL_FILE_EMPTY,
  MATERIAL_FILE_IS_DIRECTORY,
  MATERIAL_FILE_NOT_FOUND,
  MATERIAL_FILE_UNREADABLE,
} from './material-error';

/** A regular, non-empty, readable file a material points at. */
export interface MaterialFile {
  /** Absolute path. */
  path: string;
  /** The value as the user gave it, for messages. */
  given: string;
  /** Basename: the name the attestation records. */
  fileName: string;
  size: number;
}

/** The first bytes of a file, enough to tell JSON, XML, gzip and zip apart without reading the whole file. */
export type FileFormat = 'json' | 'xml' | 'gzip' | 'zip' | 'other';

export function materialPath(input: MaterialInput): string {
  return resolve(input.cwd, input.value);
}

/** What the value names on disk: a file (or anything not a directory), a directory, or nothing. */
export async function pathKind(input: MaterialInput): Promise<'file' | 'directory' | 'none'> {
  try {
    return (await stat(materialPath(input))).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'none';
  }
}

/** Checks the value names a regular, non-empty, readable file, with a one-line error for each way it does not. */
export async function requireMaterialFile(input: MaterialInput): Promise<MaterialFile> {
  const path = materialPath(input);
  const given = input.value;
  const prefix = `material "${input.name}"`;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ChainloopError(MATERIAL_FILE_NOT_FOUND, `${prefix}: file ${given} not found`, { cause: error });
    }
    throw new ChainloopError(MATERIAL_FILE_UNREADABLE, `${prefix}: file ${given} cannot be read (${code})`, {
      cause: error,
    });
  }
  if (info.isDirectory()) {
    throw new ChainloopError(MATERIAL_FILE_IS_DIRECTORY, `${prefix}: ${given} is a directory, expected a file`);
  }
  if (!info.isFile()) {
    throw new ChainloopError(MATERIAL_FILE_UNREADABLE, `${prefix}: ${given} is not a regular file`);
  }
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    throw new ChainloopError(
      MATERIAL_FILE_UNREADABLE,
      `${prefix}: file ${given} cannot be read (permission denied); check its permissions`,
      { cause: error },
    );
  }
  if (info.size === 0) {
    throw new ChainloopError(
      MATERIAL_FILE_EMPTY,
      `${prefix}: file ${given} is empty; an empty file cannot be attested`,
    );
  }
  return { path, given, fileName: basename(path), size: info.size };
}

export async function sniffFormat(file: MaterialFile): Promise<FileFormat> {
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return formatOf(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function formatOf(head: Buffer): FileFormat {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return 'json';
  if (first === '<') return 'xml';
  return 'other';
}
