"""Tests of the harness itself: the parsing and matching that decide whether
every other test passed. `./vireo test` runs them as harness/<name>; they
need no build and no emulator."""
import io
import sys
import unittest

from . import bench, platforms, systests, testing, trace


class CmockaParsing(unittest.TestCase):
    OUTPUT = '\n'.join([
        '[==========] Running 4 test(s).',
        '[ RUN      ] good', '[       OK ] good',
        '[ RUN      ] bad', '[  ERROR   ] --- 0x1 != 0x2',
        '[   LINE   ] --- t.c:8: error: Failure!', '[  FAILED  ] bad',
        '[ RUN      ] skipped', '[  SKIPPED ] skipped',
        '[ RUN      ] crash', 'AddressSanitizer: SEGV on unknown address',
    ])

    def test_outcomes(self):
        results = testing.parse_cmocka(self.OUTPUT)
        self.assertEqual([(n, o) for n, o, _ in results],
                         [('good', 'ok'), ('bad', 'failed'),
                          ('skipped', 'skipped'), ('crash', 'crashed')])

    def test_failure_messages(self):
        results = dict((n, m) for n, _, m in testing.parse_cmocka(
            self.OUTPUT))
        self.assertEqual(results['bad'][0], '--- 0x1 != 0x2')
        self.assertIn('AddressSanitizer', results['crash'][0])


class OutputMatching(unittest.TestCase):
    def result(self, text, code=0):
        result = platforms.RunResult('qemu', '/dev/null')
        result.output, result.code = text, code
        return result

    def test_in_order(self):
        test = systests.SystemTest('t', 'x', ('qemu',), expect=['a', 'b'])
        self.assertIsNone(testing.check_output(test, self.result('a\nb\n')))
        self.assertIn('not found',
                      testing.check_output(test, self.result('b\na\n')))

    def test_forbidden_always(self):
        test = systests.SystemTest('t', 'x', ('qemu',), expect=['a'])
        why = testing.check_output(test, self.result('a\nPANIC: x\n'))
        self.assertIn('PANIC', why)
        why = testing.check_output(test, self.result('a\nTEST FAIL y: z\n'))
        self.assertIn('TEST FAIL', why)

    def test_guest_lines(self):
        found = testing.GUEST_TEST.findall(
            'TEST PASS one\nxx TEST PASS no\nTEST FAIL two: broke it\n')
        self.assertEqual(found, [('PASS', 'one', ''),
                                 ('FAIL', 'two', 'broke it')])

    def test_pattern(self):
        report = testing.Report('bad-elf')
        self.assertTrue(report.wanted('bad-elf-magic/qemu'))
        self.assertFalse(report.wanted('boot-default/qemu'))
        self.assertTrue(testing.Report('boot-*/bochs').wanted(
            'boot-default/bochs'))


class Shutdown(unittest.TestCase):
    def finish(self, platform, output, status, timed_out=False):
        result = platforms.RunResult(platform, '/dev/null')
        result.output, result.exit_status = output, status
        result.timed_out = timed_out
        platforms._finish(result, platform, 10)
        return result

    def test_qemu_exit_status(self):
        self.assertEqual(self.finish('qemu', '', 7).code, 3)
        self.assertIsNotNone(self.finish('qemu', '', 0).problem)
        result = self.finish('qemu', 'vireo: shutdown (code 0)\n', 0)
        self.assertIn('isa-debug-exit', result.problem)

    def test_bochs_serial_line(self):
        result = self.finish('bochs', 'vireo: shutdown (code 2)\n', 1)
        self.assertEqual((result.code, result.problem), (2, None))

    def test_timeout(self):
        result = self.finish('qemu', 'x', None, timed_out=True)
        self.assertIn('timeout', result.problem)


class Echoing(unittest.TestCase):
    def test_split_crlf_and_escapes(self):
        out = io.StringIO()
        echo = platforms.Echo(out)
        for chunk in (b'\x1b[2Jab\r', b'\ncd\xc3', b'\xa9\r\n', b'e'):
            echo.write(chunk)
        echo.finish()
        self.assertEqual(out.getvalue(), 'ab\ncd\u00e9\ne\n')


class BenchParsing(unittest.TestCase):
    OUTPUT = '\n'.join([
        'bench: ipc same-space call+reply rounds=2 min=872 mean=872 p50=872 '
        'p99=872 max=872 cycles (tsc read cost 3 subtracted)',
        'bench: ipc cross-space call+reply rounds=2 min=876 mean=877 '
        'p50=876 p99=878 max=878 cycles (tsc read cost 3 subtracted)',
        'bench: hist ipc-cross-space 876 876 1',
        'bench: hist ipc-cross-space 878 878 1',
        'bench: hist user 300 300 2',
        'bench: end',
    ])

    def test_both_round_trips(self):
        data = bench.parse(self.OUTPUT)
        self.assertEqual(data['ipc']['p50'], 872)
        self.assertEqual(data['ipc_cross_space']['max'], 878)
        self.assertEqual(data['histograms']['ipc-cross-space'],
                         [(876, 876, 1), (878, 878, 1)])
        self.assertTrue(data['complete'])

    def test_table_and_csv(self):
        data = bench.parse(self.OUTPUT)
        text = bench.table({'busy': bench.summary('busy', 'qemu', data)},
                           'qemu')
        self.assertIn('same address space (scenario busy): min 872', text)
        self.assertIn('between address spaces (scenario busy): min 876',
                      text)
        out = io.StringIO()
        bench.write_csv_rows(out, data)
        self.assertIn('ipc-cross-space,878,878,1', out.getvalue())
        self.assertIn('user,300,300,2', out.getvalue())


class Corruption(unittest.TestCase):
    def test_corrupt_bytes(self):
        try:
            # site_scons/ is on sys.path; site_init needs SCons importable.
            import site_init
        except ImportError:
            self.skipTest('SCons is not importable')
        self.assertEqual(site_init.corrupt_bytes(b'abcdef', truncate=3),
                         b'abc')
        self.assertEqual(site_init.corrupt_bytes(b'abc', patches=[(1, b'XY'),
                                                                  (4, b'Z')]),
                         b'aXY\0Z')


class Tracing(unittest.TestCase):
    """trace.py's protocol framing and symbol parsing (./vireo trace)."""

    def test_packets(self):
        # GDB manual E.1: the checksum is the sum of the data bytes mod 256.
        self.assertEqual(trace.frame_packet('g'), b'$g#67')
        self.assertEqual(trace.frame_packet('OK'), b'$OK#9a')
        self.assertEqual(trace.decode_run_length('0* 1'), '0000' + '1')
        self.assertEqual(trace.little_endian('7856341200000000'),
                         0x12345678)

    def test_symbols(self):
        symbols = trace.parse_nm('ffffffff80200000 T a\n'
                                 'ffffffff80200010 t b\n'
                                 'ffffffff80300000 B data\n'
                                 '0000000000000100 a absolute\n')
        self.assertEqual(symbols, [(0xffffffff80200000, 'a'),
                                   (0xffffffff80200010, 'b')])
        inlined = trace.parse_addr2line(
            '0xffffffff80200004\ninner\nx.c:1\nouter\nx.c:9\n'
            '0xffffffff80200010\n??\nentry.S:3\n')
        self.assertEqual(inlined, {0xffffffff80200004: 'inner',
                                   0xffffffff80200010: '??'})
        text = trace.parse_objdump('ffffffff80200004:\tmov    %rdi,%rax\n'
                                   'ffffffff80200000 <a>:\n')
        self.assertEqual(text, {0xffffffff80200004: 'mov %rdi,%rax'})

    def test_segments(self):
        class FakeImage:
            name = 'kernel'
            inlined = {1: 'f', 2: 'g', 3: 'f', 4: 'h', 5: 'f'}

            def function(self, address):
                return 'f' if address < 5 else 'h'

        image = FakeImage()
        space = trace.Space(image, image)
        path = trace.segments(space, [1, 2, 2, 3, 4, 5, 1])
        self.assertEqual([(s.function, s.inlined, s.count) for s in path],
                         [('f', '', 1), ('f', 'g', 2), ('f', '', 1),
                          ('f', 'h', 1), ('h', 'f', 1), ('f', '', 1)])
        functions = trace.function_segments(path)
        self.assertEqual([(s.function, s.count) for s in functions],
                         [('f', 5), ('h', 1), ('f', 1)])
        self.assertEqual(list(trace.totals(path).values()), [3, 2, 1, 1])


def run(report):
    """Run every test case above, one report line each."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(
        sys.modules[__name__])

    class Result(unittest.TestResult):
        def addSuccess(self, test):
            report.result('harness/' + test.id().split('.', 2)[-1], True)

        def addFailure(self, test, error):
            report.result('harness/' + test.id().split('.', 2)[-1], False,
                          str(error[1]).splitlines()[0])

        addError = addFailure

        def addSkip(self, test, reason):
            report.skip('harness/' + test.id().split('.', 2)[-1], reason)

    suite.run(Result())
