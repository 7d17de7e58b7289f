"""The command line behind ./vireo (which installs packages, then runs this).

    ./vireo run   [--scenario NAME] [--platform P] [--timeout S]
    ./vireo bench [SCENARIO ...] [--platform qemu|bochs|iso] [--samples N]
    ./vireo test  [--platform P] [-k PATTERN] [-j WORKERS]
    ./vireo iso   [--scenario NAME]
    ./vireo debug [--scenario NAME] [--platform qemu...]
    ./vireo check FILE.dts [--module NAME]... [--memory-pages N] [--plan]
    ./vireo trace ipc|ipc-cross|irq [--scenario NAME] [--round N] [--instructions]

Every command first brings the build up to date with SCons; the images are
build/iso/<scenario>.iso (bench/SConscript) and logs go to build/logs/.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from . import bench, platforms, scenarios, selftest, systests, testing, \
    trace

ROOT = os.environ.get('VIREO_ROOT') or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
BUILD = 'build'
RUN_TIMEOUT = 60

# Exit codes of `run` when the kernel gave none (shell conventions).
EXIT_TIMEOUT = 124
EXIT_NO_SHUTDOWN = 125


def jobs():
    return str(max(1, os.cpu_count() or 1))


def scons(arguments=(), log=None, quiet=False):
    """Run scons in the repository; return its exit status.

    With log, its output goes to that file only; with quiet, to stderr so
    that stdout stays clean for a result (`./vireo iso`).
    """
    command = ['scons', '-Q', '-j', jobs()] + list(arguments)
    if log is not None:
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, 'w') as f:
            return subprocess.call(command, cwd=ROOT, stdout=f,
                                   stderr=subprocess.STDOUT)
    return subprocess.call(command, cwd=ROOT,
                           stdout=sys.stderr if quiet else None)


def known_images():
    """Return the image names bench/SConscript builds: the scenarios and
    the images of the whole-system tests."""
    scenarios = os.path.join(ROOT, 'bench', 'scenarios')
    names = {n[:-4] for n in os.listdir(scenarios) if n.endswith('.dts')} \
        if os.path.isdir(scenarios) else set()
    names.update(test.iso for test in systests.TESTS)
    return sorted(names)


def image(scenario, quiet=False):
    """Build only a scenario's ISO (and what it needs); return its path,
    or exit with a clear message."""
    known = known_images()
    if scenario not in known:
        sys.exit('vireo: unknown scenario %r (known: %s; scenarios are '
                 'bench/scenarios/*.dts)' % (scenario, ', '.join(known)))
    iso = os.path.join(BUILD, 'iso', scenario + '.iso')
    if scons([iso], quiet=quiet) != 0 or not os.path.exists(iso):
        sys.exit('vireo: building %s failed (see the messages above)' % iso)
    return os.path.join(ROOT, iso)


def command_run(arguments):
    iso = image(arguments.scenario)
    log = os.path.join(ROOT, BUILD, 'logs', 'run-%s-%s.log' % (
        arguments.scenario, arguments.platform))
    timeout = arguments.timeout or platforms.timeout_for(
        arguments.platform, RUN_TIMEOUT)
    print('vireo: booting %s on %s (serial log %s, timeout %d s)' % (
        os.path.relpath(iso, ROOT), arguments.platform,
        os.path.relpath(log, ROOT), timeout), file=sys.stderr, flush=True)
    try:
        result = platforms.run(arguments.platform, iso, log, timeout,
                               echo=sys.stdout,
                               icount=not arguments.no_icount)
    except KeyboardInterrupt:
        sys.exit('\nvireo: interrupted')
    run_report(arguments, result, log)
    if result.problem:
        print('vireo: %s' % result.problem, file=sys.stderr)
        for line in platforms.emulator_tail(result, 5):
            print('vireo: emulator: ' + line, file=sys.stderr)
        return EXIT_TIMEOUT if result.timed_out else EXIT_NO_SHUTDOWN
    print('vireo: kernel shut down with code %d after %.1f s' % (
        result.code, result.seconds), file=sys.stderr)
    return result.code


def run_report(arguments, result, log):
    """The short benchmark report of a run whose scenario has one: print
    it and write it to <log>.json (machine-readable)."""
    data = bench.parse(result.output)
    if not data['results']:
        return
    document = bench.summary(arguments.scenario, arguments.platform, data)
    with open(log + '.json', 'w') as f:
        json.dump(document, f, indent=1, sort_keys=True)
        f.write('\n')
    icount = arguments.platform.startswith('qemu') and not arguments.no_icount
    unit = bench.unit_for(arguments.platform) if icount or \
        arguments.platform.startswith('bochs') else \
        'TSC cycles of QEMU without -icount: not deterministic'
    print('vireo: report (%s; %s):' % (unit, os.path.relpath(log + '.json',
                                                             ROOT)),
          file=sys.stderr)
    user = data['results'].get('user', {})
    print('vireo:   HPET deadline -> first user instructions of the handler:'
          ' min %s, p50 %s, max %s (%s samples, %s missed)' % (
              user.get('min'), user.get('p50'), user.get('max'),
              user.get('count'), data['events'].get('missed')),
          file=sys.stderr)
    kernel = data['results'].get('kernel', {})
    if kernel.get('count'):
        print('vireo:   HPET deadline -> in-kernel handler: min %s, p50 %s, '
              'max %s' % (kernel.get('min'), kernel.get('p50'),
                          kernel.get('max')), file=sys.stderr)
    for key, space in (('ipc', 'same address space'),
                       ('ipc_cross_space', 'between address spaces')):
        if data[key]:
            print('vireo:   IPC call+reply round trip, %s: min %s, p50 %s, '
                  'max %s (%s rounds)' % (
                      space, data[key].get('min'), data[key].get('p50'),
                      data[key].get('max'), data[key].get('rounds')),
                  file=sys.stderr)


def bench_scenarios(names):
    """Check the names against bench/scenarios/*.dts; exit if unknown."""
    directory = os.path.join(ROOT, 'bench', 'scenarios')
    known = sorted(n[:-4] for n in os.listdir(directory)
                   if n.endswith('.dts') and n != 'default.dts')
    unknown = [n for n in names if n not in known]
    if unknown:
        sys.exit('vireo: unknown bench scenario %s (known: %s)' % (
            ', '.join(unknown), ', '.join(known)))
    return names


def command_bench(arguments):
    names = bench_scenarios(arguments.scenarios or bench.DEFAULT_SCENARIOS)
    if arguments.samples is not None and not 1 <= arguments.samples <= \
            9999999:
        sys.exit('vireo: --samples must be 1..9999999')
    suffix = '-samples%d' % arguments.samples if arguments.samples else ''
    isos = [os.path.join(BUILD, 'iso', n + suffix + '.iso') for n in names]
    options = ['bench_samples=%d' % arguments.samples] \
        if arguments.samples else []
    if arguments.log is None:
        print('vireo: building %s' % ', '.join(isos), file=sys.stderr,
              flush=True)
        if scons(options + isos, quiet=True) != 0:
            sys.exit('vireo: building the bench images failed (see above)')
    if arguments.platform == 'iso' and arguments.log is None:
        for iso in isos:
            print(os.path.join(ROOT, iso))
        print('vireo: write one image to a USB stick (sudo dd if=ISO '
              'of=/dev/sdX bs=4M conv=fsync), boot the PC from it and '
              'capture COM1 (115200 8N1) to a file; then\n'
              '  ./vireo bench --platform iso --log FILE SCENARIO\n'
              'turns the capture into results/ (figures in cycles and us).',
              file=sys.stderr)
        return 0
    documents, problems = {}, []
    if arguments.log is not None:
        if len(names) != 1:
            sys.exit('vireo: --log takes exactly one SCENARIO')
        with open(arguments.log, 'rb') as f:
            data = bench.parse(platforms.to_text(f.read()))
        if not data['complete']:
            sys.exit('vireo: %s holds no complete benchmark report'
                     % arguments.log)
        documents[names[0]] = bench.summary(names[0], arguments.platform,
                                            data)
    else:
        for name, iso in zip(names, isos):
            try:
                document, problem = bench.run_scenario(
                    ROOT, os.path.join(ROOT, iso), name, arguments.platform,
                    os.path.join(ROOT, BUILD, 'logs'), sys.stderr)
            except KeyboardInterrupt:
                sys.exit('\nvireo: interrupted')
            if problem:
                problems.append(problem)
                print('vireo: ' + problem, file=sys.stderr)
            else:
                documents[name] = document
    if not documents:
        return 1
    directory = bench.results_dir(ROOT, arguments.platform)
    print(bench.write_results(directory, arguments.platform, documents))
    print('vireo: results in %s' % os.path.relpath(directory, ROOT),
          file=sys.stderr)
    return 1 if problems else 0


def command_test(arguments):
    report = testing.Report(arguments.k)
    selftest.run(report)
    log = os.path.join(ROOT, BUILD, 'logs', 'build-gcc.log')
    print('building (scons, log %s)...' % os.path.relpath(log, ROOT),
          flush=True)
    if scons(log=log) != 0:
        with open(log, errors='replace') as f:
            lines = testing.tail(f.read(), 20)
        report.result('build', False, 'scons failed',
                      lines + ['log: ' + os.path.relpath(log, ROOT)], always=True)
        return report.summary()
    testing.run_host_tests(ROOT, BUILD, report)
    if not arguments.platform:
        testing.run_fuzz_tests(ROOT, BUILD, report)
    testing.run_system_tests(ROOT, BUILD, report, arguments.platform,
                             arguments.jobs)
    if arguments.platform in (None, 'qemu'):
        testing.run_bench_repeat(ROOT, BUILD, report)
        trace.run_tests(ROOT, report)
    if report.wanted('build-clang') and not arguments.platform:
        log = os.path.join(ROOT, BUILD, 'logs', 'build-clang.log')
        status = scons(['--cc=clang'], log=log)
        lines = []
        if status != 0:
            with open(log, errors='replace') as f:
                lines = testing.tail(f.read(), 20) + [
                    'log: ' + os.path.relpath(log, ROOT)]
        report.result('build-clang', status == 0,
                      'scons --cc=clang failed', lines)
    return report.summary()


def command_iso(arguments):
    iso = image(arguments.scenario, quiet=True)
    print('vireo: hybrid BIOS+UEFI image; write it to a USB stick with\n'
          '  sudo dd if=%s of=/dev/sdX bs=4M conv=fsync status=progress\n'
          'serial console: COM1, 115200 8N1' % os.path.relpath(iso, ROOT),
          file=sys.stderr)
    print(iso)
    return 0


def command_debug(arguments):
    iso = image(arguments.scenario)
    kernel = os.path.join(BUILD, 'kernel', 'vireo.elf')
    print('vireo: QEMU is stopped at the first instruction and waits for '
          'gdb on port 1234. In another terminal:\n'
          "  gdb %s -ex 'target remote :1234'\n"
          'COM1 is this terminal; Ctrl-A c toggles the QEMU monitor, '
          'Ctrl-A x quits.' % kernel, flush=True)
    return platforms.debug(iso, arguments.platform)


def command_check(arguments):
    """Compile a .dts with dtc and run the boot configuration checker on
    it; print every problem; exit 1 if there is one."""
    source = os.path.abspath(os.path.join(os.environ.get('PWD', os.getcwd()),
                                          arguments.file)) \
        if not os.path.isabs(arguments.file) else arguments.file
    if not os.path.isfile(source):
        sys.exit('vireo: %s: no such file' % arguments.file)
    checker = os.path.join(BUILD, 'host', 'vireo-check')
    if scons([checker], quiet=True) != 0:
        sys.exit('vireo: building %s failed (see the messages above)'
                 % checker)
    modules = arguments.module or list(scenarios.all_modules())
    memory = arguments.memory_pages or scenarios.emulator_memory_pages()
    print('vireo: checking %s with modules %s and %d pages of memory'
          % (arguments.file, ', '.join(modules), memory), file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix='vireo-check-') as directory:
        blob = os.path.join(directory, 'config.dtb')
        compiled = subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb',
                                   '-o', blob, source])
        if compiled.returncode != 0:
            print('vireo: dtc could not compile %s' % arguments.file,
                  file=sys.stderr)
            return 1
        command = [os.path.join(ROOT, checker)] + \
            scenarios.checker_arguments(modules, memory) + \
            (['--plan'] if arguments.plan else []) + [blob]
        checked = subprocess.run(command, stderr=subprocess.PIPE, text=True)
        sys.stderr.write(checked.stderr.replace(blob, arguments.file))
    if checked.returncode == 0:
        print('vireo: %s: no problems' % arguments.file, file=sys.stderr)
    return 0 if checked.returncode == 0 else 1


def command_trace(arguments):
    if arguments.round < 1:
        sys.exit('vireo: --round must be at least 1')
    iso = image(arguments.scenario, quiet=True)
    return trace.command(ROOT, arguments.path, arguments.scenario, iso,
                         arguments.round, arguments.instructions)


def parser():
    top = argparse.ArgumentParser(
        prog='vireo',
        description='Build, boot and test Vireo, an x86-64 microkernel.',
        epilog="Start with `./vireo run` or `./vireo test`; "
               "`./vireo COMMAND --help` describes a command.")
    commands = top.add_subparsers(dest='command', metavar='COMMAND')
    commands.required = True

    run = commands.add_parser(
        'run', help='build, boot a scenario, stream its serial output',
        description='Build, boot a scenario image, stream COM1 to the '
                    'terminal; exit with the kernel\'s shutdown code '
                    '(0 = success, %d = timeout, %d = no shutdown code).'
                    % (EXIT_TIMEOUT, EXIT_NO_SHUTDOWN))
    run.add_argument('--scenario', default='default',
                     help='bench/scenarios/NAME.dts (default: default)')
    run.add_argument('--platform', default='qemu', choices=platforms.PLATFORMS,
                     help='emulator (default: qemu)')
    run.add_argument('--timeout', type=int, default=0,
                     help='seconds before the run counts as a hang '
                          '(default: %d for qemu, longer for slower '
                          'platforms)' % RUN_TIMEOUT)
    run.add_argument('--no-icount', action='store_true',
                     help='QEMU in real time instead of deterministic '
                          'virtual time (-icount shift=0,sleep=off)')
    run.set_defaults(handler=command_run)

    bench_command = commands.add_parser(
        'bench', help='run latency benchmarks, write results/',
        description='Boot HPET interrupt-latency scenarios '
                    '(bench/scenarios/*.dts) in deterministic virtual time, '
                    'parse their reports and write results/DATE-PLATFORM/: '
                    'JSON and CSV per scenario, table.md in the layout of '
                    'Table 1 of Schild et al. 2009, histogram plots.')
    bench_command.add_argument(
        'scenarios', nargs='*', metavar='SCENARIO',
        help='default: %s' % ' '.join(bench.DEFAULT_SCENARIOS))
    bench_command.add_argument(
        '--platform', default='qemu', choices=('qemu', 'bochs', 'bochs-svm',
                                               'iso'),
        help='emulator, or iso: build images for a real PC (default: qemu)')
    bench_command.add_argument('--samples', type=int,
                               help='interrupts per scenario (default: the '
                                    'scenario\'s `samples`)')
    bench_command.add_argument('--log', metavar='FILE',
                               help='parse this serial capture (of a real '
                                    'PC) instead of booting')
    bench_command.set_defaults(handler=command_bench)

    test = commands.add_parser(
        'test', help='build and run every test',
        description='Build, run the host unit tests, the whole-system '
                    'tests and the clang build; one line per test, the '
                    'last line `N passed, M failed`; exit 1 on failure.')
    test.add_argument('--platform', choices=platforms.PLATFORMS,
                      help='only system tests on this platform '
                           '(and no clang build)')
    test.add_argument('-k', metavar='PATTERN',
                      help='only tests whose name contains PATTERN '
                           '(or matches it as a glob)')
    test.add_argument('-j', '--jobs', type=int, default=2,
                      help='emulators run in parallel (default: 2)')
    test.set_defaults(handler=command_test)

    iso = commands.add_parser(
        'iso', help='print the path of a bootable ISO for a USB stick',
        description='Build and print the path of a scenario\'s hybrid '
                    'BIOS+UEFI ISO image.')
    iso.add_argument('--scenario', default='default')
    iso.set_defaults(handler=command_iso)

    debug = commands.add_parser(
        'debug', help='boot in QEMU waiting for gdb',
        description='Boot a scenario in QEMU stopped at the first '
                    'instruction, with a gdb stub on port 1234.')
    debug.add_argument('--scenario', default='default')
    debug.add_argument('--platform', default='qemu',
                       choices=[p for p in platforms.PLATFORMS
                                if p.startswith('qemu')])
    debug.set_defaults(handler=command_debug)

    check = commands.add_parser(
        'check', help='check a boot configuration (.dts) against the schema',
        description='Compile FILE.dts with dtc and run the root task\'s '
                    'configuration checker on it (doc/configuration.md): '
                    'print every problem with its node and property, exit 1 '
                    'if there is one. By default the modules are those the '
                    'scenario images carry (%s) and the memory is the '
                    'emulators\' RAM (%d pages of 4 KiB).'
                    % (', '.join(scenarios.all_modules()),
                       scenarios.emulator_memory_pages()))
    check.add_argument('file', metavar='FILE.dts')
    check.add_argument('--module', action='append', metavar='NAME',
                       help='a boot module that exists (repeat; replaces '
                            'the default list)')
    check.add_argument('--memory-pages', type=int, metavar='N',
                       help='4 KiB pages the tasks and VMs may take')
    check.add_argument('--plan', action='store_true',
                       help='print the plan of a file without problems')
    check.set_defaults(handler=command_check)

    trace_command = commands.add_parser(
        'trace', help='count the instructions of the IPC or interrupt path',
        description='Boot a scenario in QEMU (-icount shift=0,sleep=off) '
                    'under its gdb stub, single-step one IPC call+reply '
                    'round trip to a server in the same task (ipc) or in '
                    'another (ipc-cross), or one HPET interrupt up to the '
                    'handler\'s first instructions (irq), and print how '
                    'many instructions each function takes, in path '
                    'order, next to the benchmark\'s figure from the same '
                    'boot (site_scons/vireo/trace.py).')
    trace_command.add_argument('path', choices=trace.PATHS)
    trace_command.add_argument('--scenario', default='default',
                               help='bench/scenarios/NAME.dts (default: '
                                    'default)')
    trace_command.add_argument('--round', type=int, default=3,
                               help='trace the Nth round trip or interrupt '
                                    '(default: 3)')
    trace_command.add_argument('--instructions', action='store_true',
                               help='also list every instruction')
    trace_command.set_defaults(handler=command_trace)
    return top


def main(argv=None):
    arguments = parser().parse_args(argv)
    if getattr(arguments, 'jobs', 1) < 1:
        sys.exit('vireo: --jobs must be at least 1')
    os.chdir(ROOT)
    return arguments.handler(arguments)


if __name__ == '__main__':
    sys.exit(main())
