"""The whole-system tests: which image boots where and what it must print.

Each test boots build/iso/<iso>.iso on each of its platforms and passes when
  - every `expect` regex matches the serial output, in this order (each one
    searched after the end of the previous match);
  - no `forbid` regex matches anywhere (FORBID_ALWAYS is added to every
    test: a kernel panic or any `TEST FAIL` line is a failure);
  - the kernel shut down with `code` (None: any code, but it must shut
    down rather than hang or triple fault);
  - all of it within `timeout` seconds (for QEMU; slower platforms get a
    multiple, see platforms.TIMEOUT_FACTOR).
With `icount`, QEMU runs in deterministic virtual time (-icount, see
platforms.QEMU_ICOUNT), as the benchmarks need.
Each `TEST PASS x` / `TEST FAIL x: why` line in a run's output is reported
as a test of its own, named <test>/<platform>/<x>.

The images are built by bench/SConscript; to add a test, add an image there
if needed and an entry here.
"""


class SystemTest:
    def __init__(self, name, iso, platforms, expect, forbid=(), code=0,
                 timeout=30, icount=False):
        self.name = name
        self.iso = iso
        self.platforms = tuple(platforms)
        self.expect = tuple(expect)
        self.forbid = tuple(forbid)
        self.code = code
        self.timeout = timeout
        self.icount = icount


FORBID_ALWAYS = (r'PANIC', r'vireo: kernel fault', r'^TEST FAIL ')

BANNER = r'^Vireo '
WX_CLEAN = r'vireo: W\^X check: \d+ kernel pages, 0 writable\+executable'
ROOT_STOPPED = r"vireo: task 'root' stopped"

TESTS = [
    SystemTest(
        'boot-default', 'default',
        ('qemu', 'qemu-uefi', 'qemu-usb', 'qemu-uefi-usb', 'bochs',
         'bochs-svm'),
        expect=[BANNER, WX_CLEAN,
                r'root: Vireo root task, newlib printf works',
                r'root: config:',
                r'^bench: result user count=\d+ ',
                r'^bench: summary deadline->user handler p50 \d+ cycles',
                r'root: done',
                r'vireo: shutdown \(code 0\)'],
        forbid=[ROOT_STOPPED, r'rejected'],
        code=0),
    SystemTest(
        # A user task that faults is stopped; the kernel lives on and
        # shuts down by itself afterwards.
        'user-fault', 'fault', ('qemu', 'bochs'),
        expect=[BANNER, ROOT_STOPPED, r'vireo: shutdown \(code \d+\)'],
        code=None),
    SystemTest(
        # The kernel's system call test suite (user/tests/ktest*.c) as the
        # root task: one `TEST PASS x` line per check, exit code 0 when all
        # passed.
        'ktest', 'ktest', ('qemu', 'bochs'),
        expect=[BANNER, WX_CLEAN, r'^TEST PASS ', r'ktest: \d+ passed, 0 failed',
                r'vireo: shutdown \(code 0\)'],
        forbid=[ROOT_STOPPED, r'rejected'],
        code=0, timeout=60),
    SystemTest(
        # The latency benchmark on the bench kernel: every sample taken,
        # in-kernel figures present, nothing missed (testing.py also boots
        # it twice on QEMU in virtual time and compares the figures).
        'bench', 'repeat', ('qemu', 'bochs'),
        expect=[BANNER, r'^bench: ipc same-space call\+reply rounds=200 ',
                r'^bench: result user count=200 ',
                r'^bench: result kernel count=200 ',
                r'^bench: events missed=0 past=0 wraps=0 early=0 ',
                r'^bench: end$', r'vireo: shutdown \(code 0\)'],
        forbid=[ROOT_STOPPED, r'^bench: error'],
        code=0, icount=True),
    SystemTest(
        'bad-elf-truncated', 'bad-elf-truncated', ('qemu',),
        expect=[BANNER, r'vireo: root task image rejected: \S'],
        forbid=[ROOT_STOPPED],
        code=2),
    SystemTest(
        'bad-elf-magic', 'bad-elf-magic', ('qemu',),
        expect=[BANNER, r'vireo: root task image rejected: \S'],
        forbid=[ROOT_STOPPED],
        code=2),
    SystemTest(
        'bad-elf-phdr', 'bad-elf-phdr', ('qemu',),
        expect=[BANNER, r'vireo: root task image rejected: \S'],
        forbid=[ROOT_STOPPED],
        code=2),
    SystemTest(
        'bad-dtb', 'bad-dtb', ('qemu',),
        expect=[BANNER, r'root: boot configuration rejected'],
        forbid=[ROOT_STOPPED],
        code=3),
]
