"""Plugin loading refusals, `sluice plugins`, `sluice check` and the command line."""
import os
import re
import shutil
import tempfile
import textwrap
import unittest

from harness import ABI, ABI_MAJOR, ABI_MINOR, FIXTURES, SLUICE, run


def fixture(name):
    return os.path.join(FIXTURES, name + ".so")


class PluginRefusals(unittest.TestCase):
    def plugins_in(self, *names):
        """`sluice plugins` over a folder holding just these fixture libraries."""
        folder = tempfile.mkdtemp(prefix="sluice-plugins-")
        self.addCleanup(shutil.rmtree, folder)
        for n in names:
            shutil.copy(fixture(n), folder)
        return run([SLUICE, "plugins", "--plugin-dir", folder]), folder

    def test_default_search_path_lists_roundrobin(self):
        r = run([SLUICE, "plugins"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rf"roundrobin\s+balancer\s+1\.0\.0\s+{re.escape(ABI)}\s+\S+/lib/sluice/plugins/roundrobin\.so")

    def test_not_a_plugin(self):
        r, folder = self.plugins_in("not_a_plugin")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{folder}/not_a_plugin.so: not a sluice plugin (it exports no \"sluice_plugin_entry\")",
                      r.stderr)

    def test_other_abi_major(self):
        r, _ = self.plugins_in("abi_major")
        self.assertIn(f"abi_major.so: built for plugin ABI {ABI_MAJOR + 1}.{ABI_MINOR}, this sluice speaks ABI {ABI} "
                      "(the major versions differ)", r.stderr)

    def test_newer_abi_minor(self):
        r, _ = self.plugins_in("abi_minor")
        self.assertIn(f"abi_minor.so: needs plugin ABI {ABI_MAJOR}.{ABI_MINOR + 1}, newer than this sluice's ABI {ABI}",
                      r.stderr)

    def test_a_plugin_built_for_abi_3_is_refused_not_called(self):
        # Its entry is a data symbol: calling it would jump into data.
        r, _ = self.plugins_in("abi_3")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r'abi_3\.so: "sluice_plugin_entry" is not a function: a plugin built for plugin '
                                   rf'ABI 3 or older \(this sluice speaks ABI {re.escape(ABI)}\)')

    def test_a_descriptor_shorter_than_the_abi_is_refused(self):
        r, _ = self.plugins_in("truncated")
        self.assertRegex(r.stderr, r"truncated\.so: its descriptor has \d+ bytes, fewer than ABI 4\.0's \d+")

    def test_plugins_show_summary_and_example_configuration(self):
        r = run([SLUICE, "plugins"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rf"sticky\s+wrapper\s+\S+\s+{re.escape(ABI)}\s+\S+/sticky\.so\n    Pins clients[^\n]*\n"
                                   r"    \[http\.services\.<service>\.loadBalancer\.sticky\]\n"
                                   r"    \[http\.services\.<service>\.loadBalancer\.sticky\.cookie\]\n")
        self.assertIn("[http.middlewares.<middleware>.stripprefix]\n    prefixes = ", r.stdout)
        # A strategy without options still shows where it is named.
        self.assertRegex(r.stdout, r"roundrobin\s+balancer[^\n]*\n    Smooth[^\n]*\n"
                                   r"    \[http\.services\.<service>\.loadBalancer\]\n    strategy = \"roundrobin\"\n")

    def test_duplicate_name(self):
        r, folder = self.plugins_in("twin_a", "twin_b")
        self.assertRegex(r.stdout, r"twin\s+balancer")
        self.assertIn(f'twin_b.so: plugin name "twin" is already provided by {folder}/twin_a.so', r.stderr)

    def test_unloadable_file(self):
        folder = tempfile.mkdtemp(prefix="sluice-plugins-")
        self.addCleanup(shutil.rmtree, folder)
        with open(os.path.join(folder, "garbage.so"), "w") as f:
            f.write("not an ELF file")
        r = run([SLUICE, "plugins", "--plugin-dir", folder])
        self.assertIn("garbage.so: cannot be loaded:", r.stderr)

    def test_a_wrapper_shows_as_one(self):
        r, _ = self.plugins_in("wrapper")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, rf"wrapper\s+wrapper\s+0\.0\.1\s+{re.escape(ABI)}\s")

    def test_refused_plugins_do_not_hide_good_ones(self):
        r, _ = self.plugins_in("abi_major", "twin_a", "not_a_plugin")
        self.assertRegex(r.stdout, r"twin\s+balancer\s+0\.0\.1")
        self.assertEqual(r.stderr.count("refused:"), 2)


class Check(unittest.TestCase):
    def write(self, text):
        folder = tempfile.mkdtemp(prefix="sluice-check-")
        self.addCleanup(shutil.rmtree, folder)
        path = os.path.join(folder, "sluice.toml")
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        return path

    def test_valid_configuration_passes(self):
        path = self.write("""
            [entryPoints.web]
            address = ":8000"
            [http.routers.a]
            rule = "Host(`a`) && PathPrefix(`/x`)"
            service = "a"
            [http.services.a.loadBalancer]
            servers = [{ url = "http://127.0.0.1:1" }]
            """)
        r = run([SLUICE, "check", "--config", path])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration OK", r.stdout)

    def test_every_error_is_printed_with_file_line_and_key(self):
        path = self.write("""
            [entryPoints.web]
            address = ":8000"
            [http.routers.a]
            rule = "Host(`a`"
            service = "a"
            middlewares = ["nope"]
            [http.services.a.loadBalancer]
            strategy = "fastest"
            servers = [{ url = "http://127.0.0.1:1", wieght = 2 }]
            """)
        r = run([SLUICE, "check", "--config", path])
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{path}:10: http.services.a.loadBalancer.servers[0].wieght: unknown key (did you mean \"weight\"?)",
                      r.stderr)
        r2 = self.write("""
            [entryPoints.web]
            address = ":8000"
            [http.routers.a]
            rule = "Host(`a`"
            service = "a"
            middlewares = ["nope"]
            [http.services.a.loadBalancer]
            strategy = "fastest"
            servers = [{ url = "http://127.0.0.1:1" }]
            """)
        r = run([SLUICE, "check", "--config", r2])
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r'http\.services\.a\.loadBalancer\.strategy: strategy "fastest" is not a loaded '
                                   r'plugin \(available: [^)]*\broundrobin\b')
        self.assertIn('http.routers.a.service: service "a@file" is invalid', r.stderr)
        self.assertIn("http.routers.a.rule: position 9: expected \")\"", r.stderr)
        self.assertIn('http.routers.a.middlewares: middleware "nope@file" does not exist', r.stderr)

    def test_a_plugin_of_the_wrong_kind_is_refused_where_used(self):
        path = self.write(f"""
            [entryPoints.web]
            address = ":8000"
            [plugins]
            paths = ["{FIXTURES}"]
            [http.services.a.loadBalancer]
            strategy = "noop"
            servers = []
            [http.middlewares.m.roundrobin]
            """)
        r = run([SLUICE, "check", "--config", path])
        self.assertEqual(r.returncode, 1)
        self.assertIn('strategy "noop" is a middleware plugin', r.stderr)
        self.assertIn("not a balancer", r.stderr)
        self.assertIn("refused", r.stderr)  # the fixture folder's broken plugins are reported too

    def test_a_plugin_that_throws_while_starting_is_an_error_not_a_crash(self):
        path = self.write(f"""
            [entryPoints.web]
            address = ":8000"
            [plugins]
            paths = ["{FIXTURES}"]
            [http.services.a.loadBalancer]
            strategy = "throwing"
            servers = []
            """)
        r = run([SLUICE, "check", "--config", path])
        self.assertEqual(r.returncode, 1)
        self.assertIn('http.services.a.loadBalancer.throwing: plugin "throwing" (instance a@file) threw: '
                      "fixture failure while starting", r.stderr)

    def test_broken_static_file(self):
        r = run([SLUICE, "check", "--config", self.write("[entryPoints.web\naddress = 1\n")])
        self.assertEqual(r.returncode, 1)
        self.assertIn("sluice.toml:1", r.stderr)

    def test_missing_file(self):
        r = run([SLUICE, "check", "--config", "/nonexistent/sluice.toml"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("/nonexistent/sluice.toml: cannot read the file", r.stderr)


class CommandLine(unittest.TestCase):
    def test_help_lists_every_command(self):
        r = run([SLUICE, "--help"])
        self.assertEqual(r.returncode, 0)
        for word in ("sluice check", "sluice plugins", "--workers", "--plugin-dir", "SIGHUP"):
            self.assertIn(word, r.stdout)

    def test_unknown_argument_is_an_error(self):
        r = run([SLUICE, "--frobnicate"])
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown argument "--frobnicate"', r.stderr)

    def test_version_names_the_abi(self):
        r = run([SLUICE, "--version"])
        self.assertRegex(r.stdout, rf"sluice \d+\.\d+\.\d+ \(plugin ABI {re.escape(ABI)}\)")


if __name__ == "__main__":
    unittest.main()
