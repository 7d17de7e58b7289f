"""Vireo's host tooling: the ./vireo command line (cli), the emulator
runners (platforms), the whole-system test list (systests) and the test
runner (testing). Standard library only; /usr/bin/python3 runs it. The SCons
pseudo-builders for images are in ../site_init.py."""
