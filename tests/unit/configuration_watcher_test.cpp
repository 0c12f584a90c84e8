// The watcher turns providers' documents into as few rebuilds as the newest state needs;
// the file provider reads a directory's files in a known order.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <stdlib.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>

#include "config/static_config.hpp"
#include "control/configuration_watcher.hpp"
#include "control/file_provider.hpp"

namespace sluice::control {
namespace {

using namespace std::chrono_literals;

// A document with one router, `name`, and its service.
std::string document(const std::string& name, const std::string& host = "a") {
    return "[http.routers." + name + "]\nrule = \"Host(`" + host + "`)\"\nservice = \"s\"\n" +
           "[http.services.s.loadBalancer]\nservers = [{ url = \"http://127.0.0.1:9001\" }]\n";
}

struct rebuild {
    std::uint64_t generation;
    config::dynamic_config merged;
};

class watcher_test : public ::testing::Test {
protected:
    static constexpr std::chrono::milliseconds throttle{40};

    watcher_test() {
        watcher.add_listener([this](std::uint64_t generation, const config::dynamic_config& merged) {
            rebuilds.push_back({generation, merged});
        });
    }

    // Runs the control loop until `count` rebuilds happened (bounded).
    void run_until(std::size_t count) {
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (rebuilds.size() < count && control.run_one_until(deadline)) {
        }
        control.restart();
        ASSERT_GE(rebuilds.size(), count);
    }
    // Runs the control loop for a few throttle periods, for rebuilds that should not come.
    void settle() {
        control.run_for(throttle * 4);
        control.restart();
    }

    boost::asio::io_context control;
    configuration_watcher watcher{control, throttle};
    std::vector<rebuild> rebuilds;
};

TEST_F(watcher_test, the_first_document_applies_at_once) {
    watcher.submit("file", "dyn.toml", document("a"));
    run_until(1);
    EXPECT_EQ(rebuilds[0].generation, 1u);
    EXPECT_EQ(rebuilds[0].merged.routers.count("a@file"), 1u);
    EXPECT_EQ(watcher.stats().reloads, 1u);
}

TEST_F(watcher_test, an_unchanged_document_yields_no_rebuild) {
    watcher.submit("docker", "provider docker", document("a"));
    run_until(1);
    watcher.submit("docker", "provider docker", document("a"));
    watcher.submit("docker", "provider docker", document("a"));
    settle();
    EXPECT_EQ(rebuilds.size(), 1u);
}

TEST_F(watcher_test, a_burst_yields_one_rebuild_with_the_newest_document) {
    watcher.submit("docker", "provider docker", document("r0"));
    run_until(1);
    // From another thread, as a provider plugin publishes.
    std::thread provider([this] {
        for (int i = 1; i <= 5; ++i) watcher.submit("docker", "provider docker", document("r" + std::to_string(i)));
    });
    provider.join();
    run_until(2);
    settle();
    ASSERT_EQ(rebuilds.size(), 2u);
    const auto& routers = rebuilds[1].merged.routers;
    ASSERT_EQ(routers.size(), 1u);
    EXPECT_EQ(routers.begin()->first, "r5@docker");
    EXPECT_EQ(rebuilds[1].generation, 2u);
}

TEST_F(watcher_test, documents_of_two_providers_are_merged_under_their_names) {
    watcher.submit("file", "dyn.toml", document("a", "a.localhost"));
    run_until(1);
    watcher.submit("docker", "provider docker", document("b", "b.localhost"));
    run_until(2);
    const auto& merged = rebuilds.back().merged;
    EXPECT_EQ(merged.routers.count("a@file"), 1u);
    EXPECT_EQ(merged.routers.count("b@docker"), 1u);
    EXPECT_EQ(merged.routers.at("b@docker").service, "s@docker");
    EXPECT_EQ(merged.services.count("s@file"), 1u);
    EXPECT_EQ(merged.services.count("s@docker"), 1u);
}

TEST_F(watcher_test, a_document_that_does_not_parse_leaves_the_previous_one_in_force) {
    watcher.submit("file", "dyn.toml", document("a"));
    run_until(1);
    watcher.submit("file", "dyn.toml", "[http.routers.a\nrule = ");
    watcher.submit("file", "dyn.toml", "[http.routers.a\nrule = ");  // read again unchanged: said once
    settle();
    EXPECT_EQ(rebuilds.size(), 1u);
    EXPECT_EQ(watcher.stats().rejected, 1u);
    EXPECT_FALSE(watcher.stats().last_success);
    // Another provider's change still merges with the file's last good document, and the
    // file is still not applied: success says so until the file is.
    watcher.submit("docker", "provider docker", document("b"));
    run_until(2);
    EXPECT_EQ(rebuilds.back().merged.routers.count("a@file"), 1u);
    EXPECT_FALSE(watcher.stats().last_success);
    watcher.submit("file", "dyn.toml", document("a"));  // back to what is in force
    settle();
    EXPECT_TRUE(watcher.stats().last_success);
    // A broken file that goes away takes its failure with it.
    watcher.submit("file", "other.toml", "[broken");
    settle();
    EXPECT_FALSE(watcher.stats().last_success);
    watcher.withdraw("file", "other.toml");
    settle();
    EXPECT_TRUE(watcher.stats().last_success);
}

TEST_F(watcher_test, a_directory_gives_one_document_per_file_and_a_file_that_goes_takes_its_objects) {
    // A router in one file uses a service of another: the merge sees both.
    watcher.submit("file", "/d/a.toml", "[http.routers.a]\nrule = \"Host(`a`)\"\nservice = \"s\"\n");
    watcher.submit("file", "/d/sub/s.toml",
                   "[http.services.s.loadBalancer]\nservers = [{ url = \"http://127.0.0.1:9001\" }]\n");
    run_until(1);
    settle();
    auto merged = rebuilds.back().merged;
    EXPECT_EQ(merged.routers.at("a@file").service, "s@file");
    EXPECT_EQ(merged.services.at("s@file").origin.source, "/d/sub/s.toml");
    watcher.withdraw("file", "/d/sub/s.toml");
    run_until(rebuilds.size() + 1);
    EXPECT_EQ(rebuilds.back().merged.routers.count("a@file"), 1u);
    EXPECT_EQ(rebuilds.back().merged.services.count("s@file"), 0u);
    // Withdrawing what is not there changes nothing.
    const auto before = rebuilds.size();
    watcher.withdraw("file", "/d/never.toml");
    settle();
    EXPECT_EQ(rebuilds.size(), before);
}

TEST_F(watcher_test, a_name_defined_in_two_files_keeps_the_first_in_path_order) {
    // Traefik's order: each folder's entries by name, a sub-folder's files where its name
    // falls ("a" before "a-b.toml", though '-' sorts before '/' as text).
    watcher.submit("file", "/d/a-b.toml", document("r", "b"));
    watcher.submit("file", "/d/a/x.toml", document("r", "a"));
    run_until(1);
    settle();
    const auto& merged = rebuilds.back().merged;
    EXPECT_EQ(merged.routers.at("r@file").rule, "Host(`a`)");
    EXPECT_EQ(merged.routers.at("r@file").origin.source, "/d/a/x.toml");

    config::dynamic_config into;
    config::error_list duplicates;
    config::merge_into(into, config::parse_dynamic_config(config::parse_toml_text(document("r", "a"), "/d/a.toml"),
                                                          "file", "/d/a.toml", false),
                       &duplicates);
    config::merge_into(into, config::parse_dynamic_config(config::parse_toml_text(document("r", "b"), "/d/b.toml"),
                                                          "file", "/d/b.toml", false),
                       &duplicates);
    ASSERT_EQ(duplicates.size(), 2u);  // the router and its service
    EXPECT_EQ(duplicates[0].source, "/d/b.toml");
    EXPECT_EQ(duplicates[0].key, "http.routers.r");
    EXPECT_NE(duplicates[0].message.find("already defined in /d/a.toml:1"), std::string::npos)
        << duplicates[0].message;
    // An invalid definition takes its name too: a later valid one does not slip in.
    config::dynamic_config with_invalid;
    with_invalid.invalid.routers["r@file"] = {{"/d/a.toml", 3, "http.routers.r.rule", "bad"}};
    config::error_list more;
    config::merge_into(with_invalid, into, &more);
    EXPECT_EQ(with_invalid.routers.count("r@file"), 0u);
    EXPECT_NE(more.at(0).message.find("already defined in /d/a.toml"), std::string::npos);
}

// The files a directory gives, and in which order.
class file_scan_test : public ::testing::Test {
protected:
    file_scan_test() {
        char pattern[] = "/tmp/sluice-scan-XXXXXX";
        root = ::mkdtemp(pattern);
    }
    ~file_scan_test() override { std::filesystem::remove_all(root); }
    void write(const std::string& relative, const std::string& text = "") {
        const auto path = root / relative;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path) << text;
    }
    std::vector<std::string> names(const file_scan& scan) const {
        std::vector<std::string> out;
        for (const auto& d : scan.documents) out.push_back(std::filesystem::relative(d.path, root).string());
        return out;
    }
    std::filesystem::path root;
};

TEST_F(file_scan_test, every_configuration_file_of_the_tree_in_path_order) {
    write("b.toml", "b");
    write("a.YML", "a");
    write("sub/c.yaml");
    write("sub/deeper/d.toml");
    write("notes.txt");
    write("sub/e.toml.bak");
    write(".hidden.toml");
    write("..2026_12_07/f.toml");  // Kubernetes' folder behind ..data
    write("sub-2.toml");           // after sub/, as Traefik reads them
    std::filesystem::create_directory_symlink(root / "sub", root / "linked");
    const auto scan = read_file_documents({root, true, false, true});
    EXPECT_EQ(names(scan),
              (std::vector<std::string>{"a.YML", "b.toml", "sub/c.yaml", "sub/deeper/d.toml", "sub-2.toml"}));
    EXPECT_EQ(scan.documents.at(1).text, "b");
    EXPECT_TRUE(scan.unreadable.empty());
    // A name that is not a regular file is not read (a FIFO would block, a folder reads as "").
    ::mkfifo((root / "pipe.toml").c_str(), 0600);
    const auto with_fifo = read_file_documents({root, true, false, true});
    EXPECT_EQ(with_fifo.documents.size(), 5u);
    ASSERT_EQ(with_fifo.unreadable.size(), 1u);
    EXPECT_EQ(with_fifo.unreadable[0].first, root / "pipe.toml");
}

TEST_F(file_scan_test, what_cannot_be_read_is_listed_with_the_reason) {
    const auto missing = read_file_documents({root / "nope", true, false, true});
    EXPECT_TRUE(missing.documents.empty());
    ASSERT_EQ(missing.unreadable.size(), 1u);
    EXPECT_EQ(missing.unreadable[0].first, root / "nope");
    const auto file = read_file_documents({root / "nope.toml", false, false, true});
    ASSERT_EQ(file.unreadable.size(), 1u);
    EXPECT_FALSE(file.unreadable[0].second.empty());
    write("one.toml", "x = 1");
    const auto one = read_file_documents({root / "one.toml", false, false, true});
    ASSERT_EQ(one.documents.size(), 1u);
    EXPECT_EQ(one.documents[0].text, "x = 1");
}

}  // namespace
}  // namespace sluice::control
