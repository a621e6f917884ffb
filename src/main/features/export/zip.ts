import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { AppError } from '../../core/errors';

/**
 * The fields a file's local header (from byte 4) and its central directory entry (from byte 6) share: version 2.0
 * needed, UTF-8 name, deflate, dated 1980-01-01 00:00, then the CRC-32, both sizes and the name's length.
 */
function writeFileFields(
  buf: Buffer,
  at: number,
  crc: number,
  packedSize: number,
  size: number,
  nameLength: number,
): void {
  buf.writeUInt16LE(20, at);
  buf.writeUInt16LE(0x0800, at + 2);
  buf.writeUInt16LE(8, at + 4);
  buf.writeUInt16LE(0, at + 6);
  buf.writeUInt16LE(0x21, at + 8);
  buf.writeUInt32LE(crc, at + 10);
  buf.writeUInt32LE(packedSize, at + 14);
  buf.writeUInt32LE(size, at + 18);
  buf.writeUInt16LE(nameLength, at + 22);
}

/**
 * Writes a .zip of files (paths relative to `root`, with forward slashes) under a top folder `prefix`: how an
 * exported folder is handed to a browser as one download. Plain ZIP (deflate, UTF-8 names), no ZIP64.
 */
export function writeZip(outFile: string, root: string, files: readonly string[], prefix: string): void {
  const fd = openSync(outFile, 'wx');
  const central: Buffer[] = [];
  let offset = 0;
  const write = (buf: Buffer): void => {
    writeSync(fd, buf);
    offset += buf.length;
  };
  try {
    for (const rel of files) {
      const data = readFileSync(join(root, ...rel.split('/')));
      const packed = deflateRawSync(data, { level: 6 });
      const name = Buffer.from(`${prefix}/${rel}`, 'utf8');
      const crc = crc32(data);
      if (offset + data.length > 0xffff_fff0) {
        throw AppError.keyed('TOO_LARGE', 'export.exportedModelTooLarge', {});
      }
      const header = Buffer.alloc(30);
      header.writeUInt32LE(0x04034b50, 0);
      writeFileFields(header, 4, crc, packed.length, data.length, name.length);
      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE(20, 4);
      writeFileFields(entry, 6, crc, packed.length, data.length, name.length);
      entry.writeUInt32LE(offset, 42);
      central.push(entry, name);
      write(header);
      write(name);
      write(packed);
    }
    const cdStart = offset;
    for (const b of central) write(b);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(offset - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    write(end);
  } finally {
    closeSync(fd);
  }
}
