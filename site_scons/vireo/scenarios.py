"""What the host checks a scenario against (doc/configuration.md).

On the machine the root task knows which boot modules exist and how much
memory it has; on the host the checker (build/host/vireo-check) is told.
The build (bench/SConscript, site_init.Dtb) and `./vireo check` both take
the answers from here:

  - modules: `root` and `config`, which every image carries, plus the task
    images bench/SConscript puts into that scenario's ISO (IMAGES);
  - memory: the RAM the emulators give the machine (QEMU's -m, from
    platforms.qemu_command), in 4 KiB pages. That is an upper bound: the
    root task checks again against what the kernel really hands it
    (bootinfo.kernel_pages), which is less by the kernel, the boot modules
    and the kernel's own tables.
"""
from . import platforms

PAGE_SIZE = 4096

# Modules every scenario image carries (bench/SConscript).
BASE_MODULES = ('root', 'config')

# The task images each scenario's ISO carries besides the base modules, by
# scenario name (bench/scenarios/<name>.dts). bench/SConscript says which
# program stands for each image name.
IMAGES = {
    'multi-task': ('console', 'driver', 'client'),
    'multi-task-msi': ('console', 'driver', 'client'),
}


def modules(scenario):
    """Return the module names the ISO of a scenario carries."""
    return BASE_MODULES + IMAGES.get(scenario, ())


def all_modules():
    """Return every module name some scenario image carries."""
    names = list(BASE_MODULES)
    for images in IMAGES.values():
        names += [image for image in images if image not in names]
    return tuple(names)


def emulator_memory_pages():
    """Return the emulated machine's RAM in 4 KiB pages (QEMU's -m)."""
    command = platforms.qemu_command('qemu', 'image.iso', 'serial.log', '.')
    size = command[command.index('-m') + 1]
    units = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}
    if size[-1] in units:
        return int(size[:-1]) * units[size[-1]] // PAGE_SIZE
    return int(size) * (1 << 20) // PAGE_SIZE  # QEMU's default unit: MiB


def checker_arguments(module_names, memory_pages):
    """Return vireo-check's arguments for these limits (before the files)."""
    arguments = ['--memory-pages', str(memory_pages)]
    for name in module_names:
        arguments += ['--module', name]
    return arguments
