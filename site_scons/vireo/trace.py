"""`./vireo trace ipc|ipc-cross|irq`: where every instruction of a hot path
goes.

Boots a scenario image in QEMU in deterministic virtual time (-icount
shift=0,sleep=off: one instruction per TSC tick, as `./vireo bench`) with
QEMU's gdb stub, stops at a trace marker, single-steps the path one
instruction at a time reading RIP after each step, and maps every RIP to
its function through the ELF symbols (nm, addr2line -i for inlined
functions, objdump for the instruction text). Then it lets the guest run
to its end and puts the benchmark's own figure from the same boot next to
the count.

The markers are the benchmark's own TSC reads, so the count is the
benchmark's figure:

  ipc: from the first RDTSC of the timed call loop (bench/ipc/ipc.c,
       ipc_rounds) up to the second one, in its first run (the server in
       the same task). The TSC difference is exactly these instructions
       (1 per tick); the benchmark prints it minus its TSC read cost
       (bench.c).
  ipc-cross: the same in the second run of ipc_rounds (the server in a
       task of its own).
  irq: from the first instruction of the HPET Irq's vector stub (entry.S
       vector_N, N learnt from the first irq_interrupt call) up to the
       RDTSC after the handler's SYSCALL (bench/latency/latency.c,
       receive_stamped). The benchmark counts from the HPET deadline; in
       virtual time the CPU takes the interrupt at the deadline, so the
       two differ only by the benchmark's deadline conversion error
       (`anchor-spread-max`, bench/latency/hpet.h).

Single steps come from the gdb stub (QEMU's default step flags: no
interrupts and no timers during a step), so nothing else runs inside the
traced window. A REP string instruction steps once per iteration and once
for the final test, as -icount counts it.

The gdb remote serial protocol spoken here is the minimum QEMU needs
(GDB manual, appendix E "Remote Serial Protocol"): c, s, g, Z0, z0,
QStartNoAckMode.
"""
import bisect
import collections
import os
import re
import socket
import subprocess
import sys
import time

from . import bench, platforms

KERNEL_ELF = os.path.join('build', 'kernel', 'vireo.elf')
BENCH_KERNEL_ELF = os.path.join('build', 'kernel', 'kernel-bench.elf')
ROOT_ELF = os.path.join('build', 'servers', 'root', 'root.elf')
BENCH_ELF = os.path.join('build', 'bench', 'bench.elf')

# Where the markers are: the first function of each list that the user ELF
# has (the compiler may inline the first into the second).
IPC_LOOP_FUNCTIONS = ('ipc_rounds', 'ipc_benchmark')
# Which run of ipc_rounds each IPC path traces.
IPC_RUNS = {'ipc': 1, 'ipc-cross': 2}
PATHS = ('ipc', 'ipc-cross', 'irq')
IRQ_WAIT_FUNCTIONS = ('receive_stamped', 'wait_for')
IRQ_KERNEL_FUNCTION = 'irq_interrupt'

# QEMU's x86-64 gdb register numbers (gdb-xml/i386-64bit.xml order).
REGISTER_RDI = 5
REGISTER_RIP = 16
KERNEL_HALF = 0xffff800000000000

TRACE_TIMEOUT = 300      # seconds for one whole traced boot
MAX_STEPS = 20000        # a path longer than this is a marker problem


class TraceError(Exception):
    """Something prevents the trace; the message says what."""


# ------------------------------------------------ gdb remote protocol

def checksum(data):
    return '%02x' % (sum(data.encode('latin-1')) % 256)


def frame_packet(data):
    """The bytes of one packet: $data#checksum."""
    return ('$%s#%s' % (data, checksum(data))).encode('latin-1')


def decode_run_length(data):
    """Undo the protocol's run-length encoding: `X*n` repeats X
    ord(n) - 29 more times."""
    out, i = [], 0
    while i < len(data):
        if data[i] == '*' and out and i + 1 < len(data):
            out.append(out[-1] * (ord(data[i + 1]) - 29))
            i += 2
        else:
            out.append(data[i])
            i += 1
    return ''.join(out)


def little_endian(hex_text):
    """A register or memory value as the stub sends it (target byte
    order, little endian on x86) -> int."""
    return int.from_bytes(bytes.fromhex(hex_text), 'little')


class Remote:
    """A connection to QEMU's gdb stub on a Unix socket."""

    def __init__(self, path, timeout):
        deadline = time.monotonic() + 10
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise TraceError('no gdb stub at %s' % path)
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buffer = b''
        self.acks = True
        self.exchange('qSupported:swbreak+')
        if self.exchange('QStartNoAckMode') == 'OK':
            self.acks = False

    def close(self):
        self.sock.close()

    def _byte(self):
        if not self.buffer:
            try:
                self.buffer = self.sock.recv(4096)
            except socket.timeout:
                raise TraceError('the gdb stub did not answer')
            if not self.buffer:
                raise EOFError('QEMU closed the gdb connection')
        byte, self.buffer = self.buffer[:1], self.buffer[1:]
        return byte

    def _receive(self):
        while self._byte() != b'$':
            pass
        data = b''
        while True:
            byte = self._byte()
            if byte == b'#':
                break
            data += byte
        self._byte()
        self._byte()
        if self.acks:
            self.sock.sendall(b'+')
        return decode_run_length(data.decode('latin-1'))

    def exchange(self, data):
        """Send one command, return the stub's reply."""
        self.sock.sendall(frame_packet(data))
        if self.acks:
            while self._byte() != b'+':
                pass
        return self._receive()

    def register(self, number):
        """General register number (QEMU answers `p` only to a debugger
        that read its target description, so this reads them all with
        `g`: 8 bytes each, in number order, for the first 17)."""
        reply = self.exchange('g')
        if not re.fullmatch(r'[0-9a-fA-F]{%d,}' % (16 * (number + 1)),
                            reply):
            raise TraceError('reading the registers: %r' % reply[:40])
        return little_endian(reply[16 * number:16 * (number + 1)])

    def rip(self):
        return self.register(REGISTER_RIP)

    def step(self):
        self._stopped(self.exchange('s'))

    def cont(self):
        self._stopped(self.exchange('c'))

    def breakpoint(self, address, insert=True):
        reply = self.exchange('%s0,%x,1' % ('Z' if insert else 'z', address))
        if reply != 'OK':
            raise TraceError('breakpoint at %#x: %r' % (address, reply))

    @staticmethod
    def _stopped(reply):
        if reply.startswith('W') or reply.startswith('X'):
            raise EOFError('the guest ended (%s)' % reply)
        if not reply.startswith(('T', 'S')):
            raise TraceError('unexpected stop reply %r' % reply)


# ------------------------------------------------------------- symbols

def tool_output(command):
    try:
        return subprocess.run(command, check=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        raise TraceError('%s failed: %s' % (command[0], error))


class Image:
    """One ELF's code: function symbols, inlining, instruction text."""

    def __init__(self, path, name):
        if not os.path.exists(path):
            raise TraceError('%s is missing (build it first)' % path)
        self.path, self.name = path, name
        self.symbols = parse_nm(tool_output(['nm', '-n', '--defined-only',
                                             path]))
        self.starts = [address for address, _ in self.symbols]
        self.text = parse_objdump(tool_output(
            ['objdump', '-d', '--no-show-raw-insn', '-M', 'att', path]))
        self.inlined = {}

    def function(self, address):
        """The symbol at or below address (a function or an entry.S
        label); None below the first."""
        i = bisect.bisect_right(self.starts, address) - 1
        return self.symbols[i][1] if i >= 0 else None

    def address_of(self, name):
        for address, symbol in self.symbols:
            if symbol == name:
                return address
        return None

    def instructions_of(self, name):
        """[(address, text)] of function name, in address order."""
        start = self.address_of(name)
        if start is None:
            return []
        return [(a, t) for a, t in sorted(self.text.items())
                if self.function(a) == name and a >= start]

    def learn_inlining(self, addresses):
        """Ask addr2line once which inlined function each address is
        in (the innermost one)."""
        wanted = sorted(set(addresses) - set(self.inlined))
        if not wanted:
            return
        output = tool_output(['addr2line', '-a', '-f', '-i', '-e', self.path]
                             + ['%#x' % a for a in wanted])
        self.inlined.update(parse_addr2line(output))


def parse_nm(output):
    """nm -n output -> sorted [(address, name)] of code symbols."""
    symbols = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in 'tTwW':
            symbols.append((int(parts[0], 16), parts[2]))
    return symbols


OBJDUMP_LINE = re.compile(r'^\s*([0-9a-f]+):\s+(\S.*)$')


def parse_objdump(output):
    """objdump -d output -> {address: instruction text}."""
    text = {}
    for line in output.splitlines():
        match = OBJDUMP_LINE.match(line)
        if match:
            text[int(match.group(1), 16)] = ' '.join(match.group(2).split())
    return text


def parse_addr2line(output):
    """addr2line -a -f -i output -> {address: innermost function}, '??'
    where there is no debug information (assembly)."""
    result, address, expect_function = {}, None, False
    for line in output.splitlines():
        if re.fullmatch(r'0x[0-9a-f]+', line):
            address, expect_function = int(line, 16), True
        elif expect_function and address is not None:
            result[address] = line
            expect_function = False
    return result


class Space:
    """The kernel and the user program: which Image an address is in."""

    def __init__(self, kernel, user):
        self.kernel, self.user = kernel, user

    def image(self, address):
        return self.kernel if address >= KERNEL_HALF else self.user


# --------------------------------------------------------------- markers

def rdtsc_addresses(image, functions, why):
    """The RDTSC instructions of the first of functions that image has."""
    for name in functions:
        code = image.instructions_of(name)
        if code:
            found = [a for a, t in code if t == 'rdtsc']
            if found:
                return found
    raise TraceError('%s: no RDTSC in %s (%s)' % (image.path,
                                                   ' or '.join(functions),
                                                   why))


def ipc_markers(user):
    found = rdtsc_addresses(user, IPC_LOOP_FUNCTIONS,
                            'the timed call loop, bench/ipc/ipc.c')
    if len(found) < 2:
        raise TraceError('%s: expected two RDTSC in the IPC loop, found %d'
                         % (user.path, len(found)))
    return found[0], found[1]


def irq_marker(user):
    return rdtsc_addresses(user, IRQ_WAIT_FUNCTIONS,
                           'receive_stamped, bench/latency/latency.c')[0]


# ----------------------------------------------------------------- runs

def scenario_source(root, scenario):
    path = os.path.join(root, 'bench', 'scenarios', scenario + '.dts')
    with open(path) as f:
        return f.read()


def images_for(root, scenario):
    """(kernel ELF, user ELF) of a scenario image, by bench/SConscript's
    rule: a scenario with a benchmark and no /tasks boots the bench
    program, with `kernel = "bench"` on the bench kernel; any other boots
    the root server."""
    text = scenario_source(root, scenario)

    def has(pattern):
        return re.search(pattern, text, re.MULTILINE) is not None
    bench_program = has(r'^\s*benchmark\s*=') and not has(r'^\s*tasks\s*\{')
    kernel = BENCH_KERNEL_ELF if has(r'^\s*kernel\s*=\s*"bench"') \
        else KERNEL_ELF
    return (os.path.join(root, kernel),
            os.path.join(root, BENCH_ELF if bench_program else ROOT_ELF))


def step_off(remote, address):
    """Leave a breakpoint at address: take it out for one step (QEMU
    would stop on it again at once)."""
    remote.breakpoint(address, insert=False)
    remote.step()
    remote.breakpoint(address)


def continue_to(remote, address, hits):
    """Run until the hits-th arrival at address (breakpoint left in)."""
    remote.breakpoint(address)
    for i in range(hits):
        if i:
            step_off(remote, address)
        remote.cont()
        if remote.rip() != address:
            raise TraceError('stopped at %#x, not at the marker %#x'
                             % (remote.rip(), address))


def record(remote, end):
    """Single-step from here until RIP is end; the RIPs before it."""
    rips = []
    while True:
        rip = remote.rip()
        if rip == end:
            return rips
        rips.append(rip)
        if len(rips) > MAX_STEPS:
            raise TraceError('no marker at %#x within %d instructions'
                             % (end, MAX_STEPS))
        remote.step()


def trace_ipc(remote, kernel, user, round_number, run=1):
    """The round_number-th round of the run-th call of ipc_rounds (when
    it is a function of its own; else of the first loop)."""
    start, end = ipc_markers(user)
    loop = user.address_of(IPC_LOOP_FUNCTIONS[0])
    if loop is not None:
        continue_to(remote, loop, run)
        remote.breakpoint(loop, insert=False)
    elif run != 1:
        raise TraceError('%s: %s is inlined, so its runs cannot be told '
                         'apart' % (user.path, IPC_LOOP_FUNCTIONS[0]))
    continue_to(remote, start, round_number)
    remote.breakpoint(start, insert=False)
    return record(remote, end)


def trace_irq(remote, kernel, user, round_number):
    entry = kernel.address_of(IRQ_KERNEL_FUNCTION)
    if entry is None:
        raise TraceError('%s has no %s' % (kernel.path, IRQ_KERNEL_FUNCTION))
    end = irq_marker(user)
    continue_to(remote, entry, 1)
    remote.breakpoint(entry, insert=False)
    vector = remote.register(REGISTER_RDI) & 0xff
    stub = kernel.address_of('vector_%d' % vector)
    if stub is None:
        raise TraceError('%s has no vector_%d' % (kernel.path, vector))
    # The sample after the one whose interrupt we just saw: from its
    # stub's first instruction.
    remote.step()
    continue_to(remote, stub, round_number)
    remote.breakpoint(stub, insert=False)
    return record(remote, end)


def run_trace(root, path, iso, kernel, user, round_number, log):
    """Boot iso under the gdb stub, trace one path (path: 'ipc' or 'irq');
    returns (RIPs, the whole serial output)."""
    work = log + '.d'
    os.makedirs(work, exist_ok=True)
    sock = os.path.join(work, 'gdb.sock')
    if os.path.exists(sock):
        os.remove(sock)
    if os.path.exists(log):
        os.remove(log)
    command = platforms.qemu_command('qemu', iso, log, work, icount=True) + [
        '-gdb', 'unix:%s,server=on,wait=off' % sock, '-S']
    with open(log + '.emulator', 'w') as emulator_log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=emulator_log,
                                   stderr=subprocess.STDOUT,
                                   start_new_session=True, cwd=work)
    remote = None
    try:
        remote = Remote(sock, TRACE_TIMEOUT)
        if path in IPC_RUNS:
            rips = trace_ipc(remote, kernel, user, round_number,
                             IPC_RUNS[path])
        else:
            rips = trace_irq(remote, kernel, user, round_number)
        # Let the guest finish its benchmark, for its figures.
        try:
            remote.exchange('c')
        except EOFError:
            pass
        process.wait(timeout=TRACE_TIMEOUT)
    except EOFError as error:
        raise TraceError('the guest ended before the marker (%s); serial '
                         'log %s' % (error, log))
    except subprocess.TimeoutExpired:
        raise TraceError('the guest did not end within %d s after the '
                         'trace; serial log %s' % (TRACE_TIMEOUT, log))
    finally:
        if remote is not None:
            remote.close()
        if process.poll() is None:
            os.killpg(process.pid, 9)
            process.wait()
    with open(log, 'rb') as f:
        return rips, platforms.to_text(f.read())


# ------------------------------------------------------------- analysis

Segment = collections.namedtuple('Segment', 'space function inlined count')


def label(space, address):
    """(space name, function, inlined function or '') of one address."""
    image = space.image(address)
    function = image.function(address) or '?'
    inlined = image.inlined.get(address, '??')
    if inlined in ('??', function):
        inlined = ''
    return image.name, function, inlined


def segments(space, rips):
    """Consecutive instructions with the same label merged, in path
    order."""
    out = []
    for rip in rips:
        key = label(space, rip)
        if out and out[-1][:3] == key:
            out[-1] = out[-1]._replace(count=out[-1].count + 1)
        else:
            out.append(Segment(*key, count=1))
    return out


def function_segments(path_segments):
    """The same path at function granularity (inlined code counted in
    the function that contains it)."""
    out = []
    for s in path_segments:
        if out and (out[-1].space, out[-1].function) == (s.space, s.function):
            out[-1] = out[-1]._replace(count=out[-1].count + s.count)
        else:
            out.append(Segment(s.space, s.function, '', s.count))
    return out


def totals(path_segments):
    """Instructions per (space, function, inlined), in order of first
    appearance."""
    result = collections.OrderedDict()
    for s in path_segments:
        key = (s.space, s.function, s.inlined)
        result[key] = result.get(key, 0) + s.count
    return result


def format_path(function_path):
    lines = ['| # | where | function or label | instructions | running total |',
             '|---|---|---|---|---|']
    running = 0
    for i, s in enumerate(function_path, 1):
        running += s.count
        lines.append('| %d | %s | `%s` | %d | %d |' % (
            i, s.space, s.function, s.count, running))
    return lines


def format_totals(by_function):
    lines = ['| where | function | inlined code | instructions |',
             '|---|---|---|---|']
    for (space, function, inlined), count in by_function.items():
        lines.append('| %s | `%s` | %s | %d |' % (
            space, function, '`%s`' % inlined if inlined else '', count))
    return lines


def format_instructions(space, rips):
    lines = []
    for i, rip in enumerate(rips, 1):
        image = space.image(rip)
        where, function, inlined = label(space, rip)
        lines.append('%5d %016x %-6s %-24s %s' % (
            i, rip, where, function + ('/' + inlined if inlined else ''),
            image.text.get(rip, '?')))
    return lines


def benchmark_note(path, count, output):
    """How the count relates to the figures the benchmark printed in the
    same boot: (lines, problem), problem None when the count is the
    benchmark's minimum (ipc), or within its deadline conversion error of
    it (irq)."""
    data = bench.parse(output)
    if path in IPC_RUNS:
        ipc = data['ipc' if path == 'ipc' else 'ipc_cross_space']
        match = re.search(r'tsc read cost (\d+) subtracted', output)
        if match is None or 'min' not in ipc:
            return [], 'the benchmark printed no IPC figure'
        cost = int(match.group(1))
        difference = count - cost - ipc['min']
        lines = ['traced %d instructions from the first RDTSC to the '
                 'second; the benchmark subtracts its TSC read cost (%d): '
                 '%d' % (count, cost, count - cost),
                 'the benchmark in this boot: call+reply round trip min %s '
                 'mean %s p50 %s max %s (%s rounds)' % (
                     ipc.get('min'), ipc.get('mean'), ipc.get('p50'),
                     ipc.get('max'), ipc.get('rounds')),
                 'difference to its min: %d' % difference]
        tolerance = 0
    else:
        user = data['results'].get('user', {})
        spread = data['overhead'].get('anchor-spread-max')
        if 'min' not in user or spread is None:
            return [], 'the benchmark printed no latency figure'
        difference = count - user['min']
        lines = ['traced %d instructions from the vector stub to the '
                 'handler\'s RDTSC' % count,
                 'the benchmark in this boot: HPET deadline -> handler RDTSC '
                 'min %s p50 %s max %s (%s samples); its deadline conversion '
                 'error is at most half of anchor-spread-max=%s' % (
                     user.get('min'), user.get('p50'), user.get('max'),
                     user.get('count'), spread),
                 'difference to its min: %d' % difference]
        tolerance = spread // 2
    problem = None
    if abs(difference) > tolerance:
        problem = 'traced %d, the benchmark\'s minimum says %d' % (
            count, count - difference)
    return lines, problem


def report(path, scenario, round_number, space, rips, output,
           instructions=False, out=sys.stdout):
    for image in (space.kernel, space.user):
        image.learn_inlining([r for r in rips if space.image(r) is image])
    path_segments = segments(space, rips)
    write = lambda line='': print(line, file=out)
    write('vireo trace %s: scenario %s, %s %d; kernel %s, user %s' % (
        path, scenario, 'round' if path in IPC_RUNS else 'interrupt',
        round_number, os.path.relpath(space.kernel.path),
        os.path.relpath(space.user.path)))
    write()
    write('Path, function by function (inlined code counted in its '
          'caller):')
    write()
    for line in format_path(function_segments(path_segments)):
        write(line)
    write()
    write('Per function, with the inlined functions apart (in order of '
          'first appearance):')
    write()
    for line in format_totals(totals(path_segments)):
        write(line)
    write()
    lines, problem = benchmark_note(path, len(rips), output)
    for line in lines:
        write(line)
    if problem:
        write('vireo: trace: the count does not match: %s' % problem)
    if instructions:
        write()
        for line in format_instructions(space, rips):
            write(line)


def command(root, path, scenario, iso, round_number, instructions):
    """`./vireo trace`: returns the exit status."""
    kernel_path, user_path = images_for(root, scenario)
    try:
        space = Space(Image(kernel_path, 'kernel'), Image(user_path, 'user'))
        log = os.path.join(root, 'build', 'logs', 'trace-%s-%s.log' % (
            path, scenario))
        print('vireo: tracing %s in %s (serial log %s)' % (
            path, os.path.relpath(iso, root), os.path.relpath(log, root)),
            file=sys.stderr, flush=True)
        rips, output = run_trace(root, path, iso, space.kernel, space.user,
                                 round_number, log)
    except TraceError as error:
        print('vireo: trace: %s' % error, file=sys.stderr)
        return 1
    report(path, scenario, round_number, space, rips, output, instructions)
    return 1 if benchmark_note(path, len(rips), output)[1] else 0


def run_tests(root, report_to):
    """`./vireo test`: trace both paths on the default image; each passes
    when its count is the benchmark's figure from the same boot (so the
    table in doc/implementation.md can be trusted)."""
    iso = os.path.join(root, 'build', 'iso', 'default.iso')
    for path in PATHS:
        name = 'trace/%s' % path
        if not report_to.wanted(name):
            continue
        kernel_path, user_path = images_for(root, 'default')
        log = os.path.join(root, 'build', 'logs', 'test-trace-%s.log' % path)
        try:
            space = Space(Image(kernel_path, 'kernel'),
                          Image(user_path, 'user'))
            rips, output = run_trace(root, path, iso, space.kernel,
                                     space.user, 3, log)
        except TraceError as error:
            report_to.result(name, False, str(error))
            continue
        lines, problem = benchmark_note(path, len(rips), output)
        report_to.result(name, problem is None, problem or '',
                         lines + ['serial log: %s'
                                  % os.path.relpath(log, root)])
