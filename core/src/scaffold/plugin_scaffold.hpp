// `sluice plugin new`: writes a ready out-of-tree plugin project from the templates in
// sdk/templates (embedded in the binary at build time): CMake with find_package(SluiceSDK),
// the plugin's source, a unit test with the SDK's fakes, a test of the built library through
// the harness, and a README.
#pragma once

#include <filesystem>
#include <span>
#include <string_view>

namespace sluice::scaffold {

struct template_file {
    std::string_view path;  // relative to sdk/templates: "CMakeLists.txt", "balancer/plugin.cpp"
    std::string_view text;
};

// Every file of sdk/templates (generated: embed_templates.cmake).
const std::span<const template_file> embedded_templates() noexcept;

// Why `name` cannot name a plugin ("" when it can): letters, digits, '_' and '-', starting
// with a letter, at most 64 characters, as configuration tables and labels spell it.
std::string_view name_problem(std::string_view name) noexcept;

// Writes the project of a plugin `name` of `kind` ("balancer", "middleware" or "provider")
// into the new folder `dir`/`name` and returns that folder. Throws std::runtime_error with a
// message naming what is wrong (the kind, the name, an existing folder, a file it could not
// write); writes nothing when the arguments are wrong.
std::filesystem::path write_plugin_project(std::string_view name, std::string_view kind,
                                           const std::filesystem::path& dir);

}  // namespace sluice::scaffold
