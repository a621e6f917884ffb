import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers';
import { analyseTrace } from './harness';

// The no-network proof (tests/delivery) is only as good as its reading of strace's output: these are real strace
// lines (strace 6.1, -y -s 4096), each judged as the delivery tests judge a whole pipeline's trace.
const t = tempDir();
afterAll(() => t.cleanup());

function judge(lines: readonly string[]): ReturnType<typeof analyseTrace> {
  const dir = join(t.dir, `trace-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 't.100'), lines.join('\n') + '\n');
  return analyseTrace(dir, ['/tmp/work']);
}

describe('the strace reading of the no-network proof', () => {
  it('accepts loopback, Unix and netlink sockets and refuses any other address, even a failed attempt', () => {
    const r = judge([
      'connect(21<socket:[1]>, {sa_family=AF_INET, sin_port=htons(41234), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
      'connect(5<socket:[2]>, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)',
      'sendmsg(3<socket:[3]>, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12}, 0) = 32',
      'connect(22<socket:[4]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
      'connect(23<socket:[5]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.1.2.3")}, 16) = -1 ENETUNREACH (Network is unreachable)',
      'sendto(24<socket:[6]>, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = 1',
    ]);
    expect(r.socketCalls).toEqual({ AF_INET: 2, AF_UNIX: 1, AF_NETLINK: 1, AF_INET6: 2 });
    expect(r.badSockets).toHaveLength(2);
    expect(r.badSockets[0]).toContain('10.1.2.3');
    expect(r.badSockets[1]).toContain('2001:db8::1');
  });

  it('counts successful writes and flags those outside the allowed folders, through `..` and directory fds', () => {
    const r = judge([
      'openat(AT_FDCWD</tmp/work>, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3</etc/passwd>',
      'openat(AT_FDCWD, "/tmp/work/data/distillery.db", O_RDWR|O_CREAT|O_CLOEXEC, 0644) = 21</tmp/work/data/distillery.db>',
      'openat(AT_FDCWD, "relative.tmp", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 22</tmp/work/relative.tmp>',
      'openat(AT_FDCWD, "/dev/null", O_RDWR|O_CLOEXEC) = 23</dev/null>',
      'mkdir("/root", 0777) = -1 EEXIST (File exists)',
      'openat(AT_FDCWD, "/root/.cache/x", O_WRONLY|O_CREAT, 0644) = 24</root/.cache/x>',
      'rename("/tmp/work/a", "/tmp/work/../elsewhere") = 0',
      'unlinkat(7</var/tmp>, "stale", 0) = 0',
      'chdir("/tmp/work") = 0',
      'chdir("/home") = 0',
      'execve("/tmp/work/node/bin/node", ["node"], 0x7ffd /* 4 vars */) = 0',
    ]);
    expect(r.writes).toBe(6);
    expect(r.badWrites.map((l) => l.replace(/^t\.100: /, '').split('(')[0])).toEqual([
      'openat',
      'rename',
      'unlinkat',
    ]);
    expect(r.badWrites[0]).toContain('/root/.cache/x');
    expect(r.chdirs).toEqual(['t.100: chdir("/home") = 0']);
    expect(r.executed).toEqual(['/tmp/work/node/bin/node']);
  });
});
