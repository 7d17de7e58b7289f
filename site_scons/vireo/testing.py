"""`./vireo test`: build, then run every test and print one line per test.

Five kinds of tests, all reported the same way (`PASS name` or
`FAIL name: why`, last line `N passed, M failed`):
  - the harness's own tests (selftest.py), harness/<name>;
  - host unit tests: every executable in build/host-tests/ is a cmocka
    program; each cmocka test in it counts (host/<program>/<test>);
  - fuzz targets (FUZZ_TARGETS): a libFuzzer binary run from its corpus in
    the tree for a bounded number of runs with a fixed seed; any finding
    fails it (fuzz/<name>);
  - whole-system tests (systests.py): boot an image in an emulator and
    check the serial log; each `TEST PASS x` / `TEST FAIL x` line printed
    by the guest counts as a test of its own;
  - build-clang: the whole tree also builds with `scons --cc=clang`.
"""
import fnmatch
import os
import re
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from . import bench, platforms, systests

HOST_TEST_TIMEOUT = 120
LOG_TAIL = 12


class Report:
    """Collects results and prints each one as it arrives (thread-safe)."""

    def __init__(self, pattern=None):
        self.pattern = pattern
        self.passed = 0
        self.failed = 0
        self.lock = threading.Lock()

    def wanted(self, name):
        """True if -k PATTERN selects name (substring or glob)."""
        if not self.pattern:
            return True
        if any(c in self.pattern for c in '*?['):
            return fnmatch.fnmatch(name, self.pattern)
        return self.pattern in name

    def result(self, name, ok, why='', details=(), always=False):
        """Count and print one result; `always` reports it even when -k
        filters its name out (a failed build fails every selection)."""
        if not always and not self.wanted(name):
            return
        with self.lock:
            if ok:
                self.passed += 1
                print('PASS %s' % name, flush=True)
            else:
                self.failed += 1
                print('FAIL %s: %s' % (name, why), flush=True)
                for line in details:
                    print('    ' + line, flush=True)

    def skip(self, name, why):
        if self.wanted(name):
            with self.lock:
                print('SKIP %s: %s' % (name, why), flush=True)

    def summary(self):
        print('%d passed, %d failed' % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def tail(text, lines=LOG_TAIL):
    return text.rstrip('\n').splitlines()[-lines:]


# ---------------------------------------------------------------- host tests

CMOCKA_LINE = re.compile(
    r'^\[\s*(RUN|OK|FAILED|SKIPPED|ERROR|LINE)\s*\] (.*)$')


def parse_cmocka(output):
    """Return [(test, 'ok'|'failed'|'skipped'|'crashed', [messages])] from
    the output of one cmocka program (stdout and stderr merged)."""
    results = []
    current = None
    messages = []
    finished = set()
    for line in output.splitlines():
        match = CMOCKA_LINE.match(line)
        if not match:
            if current is not None and line.strip():
                messages.append(line.strip())
            continue
        kind, rest = match.groups()
        if kind == 'RUN':
            current, messages = rest.strip(), []
        elif kind in ('OK', 'FAILED', 'SKIPPED') and current is not None \
                and rest.strip() == current:
            results.append((current, kind.lower(), messages))
            finished.add(current)
            current, messages = None, []
        elif kind in ('ERROR', 'LINE') and current is not None:
            messages.append(rest.strip())
    if current is not None and current not in finished:
        results.append((current, 'crashed', messages))
    return results


def run_host_tests(root, build, report):
    """Run every executable in <build>/host-tests/."""
    directory = os.path.join(root, build, 'host-tests')
    if not os.path.isdir(directory):
        report.skip('host', 'no %s/host-tests/ directory yet' % build)
        return
    programs = sorted(
        name for name in os.listdir(directory)
        if os.path.isfile(os.path.join(directory, name))
        and os.access(os.path.join(directory, name), os.X_OK))
    for program in programs:
        path = os.path.join(directory, program)
        # stdbuf keeps cmocka's stdout (results) and stderr (messages) in
        # order in one pipe. It works by LD_PRELOAD, which ASan would
        # otherwise refuse.
        command = ['stdbuf', '-oL', '-eL', path]
        environment = dict(os.environ)
        environment['ASAN_OPTIONS'] = ':'.join(filter(None, [
            environment.get('ASAN_OPTIONS'), 'verify_asan_link_order=0']))
        name = 'host/%s' % program
        try:
            done = subprocess.run(command, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, cwd=root,
                                  env=environment,
                                  timeout=HOST_TEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            report.result(name, False, 'timeout after %d s'
                          % HOST_TEST_TIMEOUT)
            continue
        output = done.stdout.decode('utf-8', errors='replace')
        log = os.path.join(build, 'logs', 'host-%s.log' % program)
        os.makedirs(os.path.join(root, os.path.dirname(log)), exist_ok=True)
        with open(os.path.join(root, log), 'w') as f:
            f.write(output)
        results = parse_cmocka(output)
        for test, outcome, messages in results:
            test_name = '%s/%s' % (name, test)
            if outcome == 'ok':
                report.result(test_name, True)
            elif outcome == 'skipped':
                report.skip(test_name, 'skipped by the test')
            else:
                why = messages[0] if messages else outcome
                report.result(test_name, False, why,
                              messages[1:LOG_TAIL] + ['log: ' + log])
        if not results:
            report.result(name, done.returncode == 0,
                          'exit status %d' % done.returncode,
                          tail(output) + ['log: ' + log])
        elif done.returncode != 0 and all(o in ('ok', 'skipped')
                                          for _, o, _ in results):
            # All tests passed but the program failed (a sanitizer report
            # at exit, a leak): that is a failure of the program.
            report.result(name, False, 'exit status %d after its tests'
                          % done.returncode, tail(output) + ['log: ' + log])


# ------------------------------------------------------------- fuzz targets

class FuzzTarget:
    """A libFuzzer binary (relative to the build directory), its corpus and
    dictionary (relative to the repository) and how many inputs to run."""

    def __init__(self, name, binary, corpus, dictionary, runs, seconds):
        self.name = name
        self.binary = binary
        self.corpus = corpus
        self.dictionary = dictionary
        self.runs = runs
        self.seconds = seconds


FUZZ_TARGETS = [
    # The boot configuration checker (servers/root/fuzz/fuzz_config.c):
    # 10 s on one idle core of the machine it was written on (21 to 33 s
    # while other fuzzers ran beside it); the time cap only keeps a slow
    # machine from taking much longer.
    FuzzTarget('config', 'host/fuzz-config', 'servers/root/fuzz/corpus',
               'servers/root/fuzz/config.dict', runs=1000000, seconds=90),
]


def run_fuzz_tests(root, build, report):
    """Run each fuzz target; a crash, a sanitizer report, a leak, a timeout
    or a broken promise of the target fails it. New inputs go to a
    temporary directory (the corpus in the tree stays as it is); an input
    that fails is kept as build/logs/fuzz-<name>-crash-...."""
    for target in FUZZ_TARGETS:
        name = 'fuzz/%s' % target.name
        if not report.wanted(name):
            continue
        binary = os.path.join(root, build, target.binary)
        if not os.path.exists(binary):
            report.result(name, False, '%s was not built' % target.binary)
            continue
        log = os.path.join(build, 'logs', 'fuzz-%s.log' % target.name)
        os.makedirs(os.path.join(root, build, 'logs'), exist_ok=True)
        with tempfile.TemporaryDirectory(prefix='vireo-fuzz-') as new:
            command = [binary, '-seed=1', '-runs=%d' % target.runs,
                       '-max_total_time=%d' % target.seconds,
                       '-dict=' + os.path.join(root, target.dictionary),
                       '-artifact_prefix=' + os.path.join(
                           root, build, 'logs', 'fuzz-%s-' % target.name),
                       new, os.path.join(root, target.corpus)]
            try:
                done = subprocess.run(command, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, cwd=root,
                                      timeout=target.seconds + 60)
                output = done.stdout.decode('utf-8', errors='replace')
                status = done.returncode
            except subprocess.TimeoutExpired as expired:
                output = (expired.stdout or b'').decode('utf-8', 'replace')
                status = 'timeout'
        with open(os.path.join(root, log), 'w') as f:
            f.write(output)
        # libFuzzer's progress lines start with '#'; what is left says
        # what went wrong (sanitizer report, crash input, broken promise).
        findings = [line for line in output.splitlines()
                    if line.strip() and not line.startswith(('#', 'INFO:'))]
        report.result(name, status == 0, 'exit status %s' % status,
                      findings[-LOG_TAIL:] + ['log: ' + log])


# ------------------------------------------------------------ system tests

def check_output(test, result):
    """Return None if a run's output satisfies test, else why not."""
    text = result.output
    position = 0
    for pattern in test.expect:
        match = re.compile(pattern, re.MULTILINE).search(text, position)
        if match is None:
            return 'expected /%s/ not found%s' % (
                pattern, ' (after earlier matches)' if position else '')
        position = match.end()
    for pattern in tuple(test.forbid) + systests.FORBID_ALWAYS:
        match = re.compile(pattern, re.MULTILINE).search(text)
        if match is not None:
            line = text[text.rfind('\n', 0, match.start()) + 1:]
            return 'forbidden /%s/ in: %s' % (pattern, line.split('\n')[0])
    return None


GUEST_TEST = re.compile(r'^TEST (PASS|FAIL) ([^\s:]+)(?::\s*(.*))?$',
                        re.MULTILINE)


def run_system_test(root, build, test, platform, report):
    """Boot one test on one platform; report it and its guest TEST lines."""
    name = '%s/%s' % (test.name, platform)
    iso = os.path.join(root, build, 'iso', test.iso + '.iso')
    log = os.path.join(root, build, 'logs', '%s-%s.log' % (test.name,
                                                            platform))
    if not os.path.exists(iso):
        report.result(name, False, 'image %s was not built' %
                      os.path.relpath(iso, root))
        return
    timeout = platforms.timeout_for(platform, test.timeout)
    result = platforms.run(platform, iso, log, timeout, icount=test.icount)
    details = ['serial log: %s' % os.path.relpath(log, root)]
    details += ['| ' + line for line in tail(result.output)]
    why = result.problem
    if why is None:
        why = check_output(test, result)
    if why is None and test.code is not None and result.code != test.code:
        why = 'shutdown code %s, expected %d' % (result.code, test.code)
    if why is not None and result.problem is None and result.timed_out:
        why = result.problem
    if why is not None:
        details += ['emulator: ' + line
                    for line in platforms.emulator_tail(result, 5)]
    report.result(name, why is None, why or '', details)
    for outcome, guest_name, reason in GUEST_TEST.findall(result.output):
        report.result('%s/%s' % (name, guest_name), outcome == 'PASS',
                      reason or 'failed in the guest',
                      ['serial log: %s' % os.path.relpath(log, root)])


def run_system_tests(root, build, report, only_platform=None, workers=2):
    jobs = []
    for test in systests.TESTS:
        for platform in test.platforms:
            if only_platform and platform != only_platform:
                continue
            name = '%s/%s' % (test.name, platform)
            # Run it if the pattern selects it or any of its guest lines.
            if report.pattern and not report.wanted(name) and \
                    not report.wanted(name + '/'):
                continue
            jobs.append((test, platform))
    if only_platform and not any(p == only_platform for _, p in jobs) \
            and not report.pattern:
        report.skip('system', 'no system test runs on %s' % only_platform)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_system_test, root, build, test, platform,
                               report) for test, platform in jobs]
        for future in futures:
            future.result()


# ------------------------------------------------------- benchmark repeat

BENCH_REPEAT_ISO = 'repeat'
BENCH_REPEAT_TIMEOUT = 60


def run_bench_repeat(root, build, report):
    """Boot the short `repeat` benchmark twice on QEMU in virtual time
    (-icount): both runs must complete with every sample taken and give
    identical figures, histograms included."""
    name = 'bench-repeat/qemu'
    if not report.wanted(name):
        return
    iso = os.path.join(root, build, 'iso', BENCH_REPEAT_ISO + '.iso')
    runs = []
    for attempt in (1, 2):
        log = os.path.join(root, build, 'logs', 'bench-repeat-%d.log'
                           % attempt)
        result = platforms.run('qemu', iso, log, BENCH_REPEAT_TIMEOUT,
                               icount=True)
        data = bench.parse(result.output)
        details = ['serial log: %s' % os.path.relpath(log, root)]
        why = result.problem
        samples = data['scenario'].get('samples')
        user = data['results'].get('user', {})
        kernel = data['results'].get('kernel', {})
        if why is None and (not data['complete'] or data['errors']):
            why = 'benchmark incomplete: %s' % ('; '.join(data['errors'])
                                                or 'no `bench: end`')
        if why is None and not (samples and user.get('count') == samples
                                and kernel.get('count') == samples):
            why = '%s samples asked, %s user and %s in-kernel figures' % (
                samples, user.get('count'), kernel.get('count'))
        if why is not None:
            report.result(name, False, 'run %d: %s' % (attempt, why),
                          details + ['| ' + line
                                     for line in tail(result.output)])
            return
        runs.append(data)
    why = bench.same_figures(runs[0], runs[1])
    report.result(name, why is None, why or '')
