import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { AppError } from '../../core/errors';

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
      header.writeUInt16LE(20, 4);
      header.writeUInt16LE(0x0800, 6);
      header.writeUInt16LE(8, 8);
      header.writeUInt16LE(0, 10);
      header.writeUInt16LE(0x21, 12);
      header.writeUInt32LE(crc, 14);
      header.writeUInt32LE(packed.length, 18);
      header.writeUInt32LE(data.length, 22);
      header.writeUInt16LE(name.length, 26);
      header.writeUInt16LE(0, 28);
      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE(20, 4);
      entry.writeUInt16LE(20, 6);
      entry.writeUInt16LE(0x0800, 8);
      entry.writeUInt16LE(8, 10);
      entry.writeUInt16LE(0, 12);
      entry.writeUInt16LE(0x21, 14);
      entry.writeUInt32LE(crc, 16);
      entry.writeUInt32LE(packed.length, 20);
      entry.writeUInt32LE(data.length, 24);
      entry.writeUInt16LE(name.length, 28);
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
