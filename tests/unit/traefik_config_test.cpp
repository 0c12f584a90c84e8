// Traefik's forms of the static configuration (flags, TRAEFIK_* variables, traefik.yml and
// traefik.toml) read into one static_config, with Traefik's defaults, warnings for what
// Sluice ignores and errors that name the flag, the variable or the file's line. Cases from
// Traefik's own tests where they exist (integration/simple_test.go, paerser's env tests, the
// boot-environment documentation).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "config/dynamic_config.hpp"
#include "config/static_config.hpp"
#include "config/static_loader.hpp"
#include "config/traefik_settings.hpp"
#include "config/traefik_static.hpp"
#include "config/yaml_document.hpp"

namespace cfg = sluice::config;

namespace {

struct temp_folder {
    std::filesystem::path path;
    temp_folder() {
        char pattern[] = "/tmp/sluice-traefik-XXXXXX";
        path = ::mkdtemp(pattern);
    }
    ~temp_folder() { std::filesystem::remove_all(path); }
    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::filesystem::create_directories((path / name).parent_path());
        std::ofstream(path / name) << text;
        return path / name;
    }
};

cfg::loaded_static_config from_flags(std::vector<std::string> args, const std::filesystem::path& folder) {
    cfg::static_sources s;
    s.traefik_args = std::move(args);
    s.working_folder = folder;
    return cfg::load_static(s);
}

std::string all_errors(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const cfg::config_exception& e) {
        std::string out;
        for (const auto& err : e.errors()) out += err.to_string() + "\n";
        return out;
    }
    return "";
}

bool has_warning(const cfg::loaded_static_config& l, std::string_view text) {
    for (const auto& w : l.warnings)
        if (w.find(text) != std::string::npos) return true;
    return false;
}

const cfg::provider_instance_config* provider(const cfg::static_config& c, std::string_view name) {
    for (const auto& p : c.providers)
        if (p.name == name) return &p;
    return nullptr;
}

TEST(traefik_forms, flags_of_traefiks_prometheus_integration_test) {
    temp_folder dir;
    // integration/simple_test.go, TestMetricsPrometheusDefaultEntryPoint.
    const auto l = from_flags({"--entryPoints.http.Address=:8000", "--api.insecure", "--metrics.prometheus.buckets=0.1,0.3,1.2,5.0",
                               "--providers.docker", "--metrics.prometheus.addrouterslabels=true", "--log.level=DEBUG"},
                              dir.path);
    EXPECT_EQ(l.form, "flags");
    ASSERT_EQ(l.cfg.entry_points.size(), 1u);  // the traefik entry point is the API's listener
    EXPECT_EQ(l.cfg.entry_points[0].name, "http");
    EXPECT_EQ(l.cfg.entry_points[0].address.port, 8000);
    ASSERT_TRUE(l.cfg.api);
    EXPECT_EQ(l.cfg.api->address.to_string(), ":8080");
    EXPECT_TRUE(l.cfg.api->rest);
    EXPECT_TRUE(l.cfg.api->dashboard);  // Traefik's default with the API
    EXPECT_TRUE(l.cfg.api->metrics);
    EXPECT_FALSE(l.cfg.api->ping);
    EXPECT_EQ(l.cfg.log_level, "debug");
    const auto* docker = provider(l.cfg, "docker");
    ASSERT_NE(docker, nullptr);
    EXPECT_NE(docker->options.text.find("labelPrefix = 'traefik'"), std::string::npos) << docker->options.text;
    EXPECT_TRUE(has_warning(l, "metrics.prometheus.buckets"));
    EXPECT_TRUE(has_warning(l, "metrics.prometheus.addrouterslabels"));
}

TEST(traefik_forms, with_no_entry_point_traefik_listens_on_http_80) {
    temp_folder dir;
    const auto l = from_flags({"--providers.docker=true", "--providers.docker.exposedbydefault=false"}, dir.path);
    ASSERT_EQ(l.cfg.entry_points.size(), 1u);
    EXPECT_EQ(l.cfg.entry_points[0].name, "http");
    EXPECT_EQ(l.cfg.entry_points[0].address.to_string(), ":80");
    EXPECT_FALSE(l.cfg.api);
    const auto* docker = provider(l.cfg, "docker");
    ASSERT_NE(docker, nullptr);
    EXPECT_NE(docker->options.text.find("exposedbydefault = 'false'"), std::string::npos) << docker->options.text;
}

// Traefik v3's swarm provider, and v2's swarm mode of the docker provider read as it.
TEST(traefik_forms, the_swarm_provider_in_traefik_forms) {
    temp_folder dir;
    const auto v3 = from_flags({"--providers.swarm.endpoint=unix:///var/run/docker.sock",
                                "--providers.swarm.refreshseconds=30", "--providers.swarm.network=demo_net"},
                               dir.path);
    const auto* swarm = provider(v3.cfg, "swarm");
    ASSERT_NE(swarm, nullptr);
    EXPECT_EQ(swarm->plugin, "swarm");
    EXPECT_NE(swarm->options.text.find("labelPrefix = 'traefik'"), std::string::npos) << swarm->options.text;
    EXPECT_NE(swarm->options.text.find("network = 'demo_net'"), std::string::npos) << swarm->options.text;
    EXPECT_EQ(swarm->options.text.find("refresh"), std::string::npos) << swarm->options.text;
    EXPECT_TRUE(has_warning(v3, "providers.swarm.refreshSeconds: ignored"));

    const auto v2 = from_flags({"--providers.docker.swarmmode=true", "--providers.docker.exposedbydefault=false",
                                "--providers.docker.swarmmoderefreshseconds=5"},
                               dir.path);
    EXPECT_EQ(provider(v2.cfg, "docker"), nullptr);
    swarm = provider(v2.cfg, "swarm");
    ASSERT_NE(swarm, nullptr);
    EXPECT_NE(swarm->options.text.find("exposedbydefault = 'false'"), std::string::npos) << swarm->options.text;
    EXPECT_EQ(swarm->options.text.find("swarm"), std::string::npos) << swarm->options.text;
    EXPECT_TRUE(has_warning(v2, "read as providers.swarm"));

    const auto off = from_flags({"--providers.docker.swarmmode=false"}, dir.path);
    EXPECT_NE(provider(off.cfg, "docker"), nullptr);
    EXPECT_EQ(provider(off.cfg, "swarm"), nullptr);
}

TEST(traefik_forms, a_section_switched_off_takes_its_keys_away) {
    temp_folder dir;
    const auto l = from_flags({"--entrypoints.web.address=:81", "--providers.docker=false",
                               "--providers.docker.network=x", "--accesslog=false", "--ping"},
                              dir.path);
    EXPECT_EQ(provider(l.cfg, "docker"), nullptr);
    EXPECT_FALSE(l.cfg.access_log);
    // A bare --ping serves /ping alone on the traefik entry point.
    ASSERT_TRUE(l.cfg.api);
    EXPECT_TRUE(l.cfg.api->ping);
    EXPECT_FALSE(l.cfg.api->rest);
    EXPECT_FALSE(l.cfg.api->dashboard);
    EXPECT_FALSE(l.cfg.api->metrics);
}

TEST(traefik_forms, the_traefik_entry_point_gives_the_api_its_address) {
    temp_folder dir;
    const auto l = from_flags({"--entrypoints.web.address=:80", "--entrypoints.traefik.address=127.0.0.1:9000",
                               "--api.insecure=true", "--api.dashboard=false", "--accesslog=true"},
                              dir.path);
    ASSERT_EQ(l.cfg.entry_points.size(), 1u);
    ASSERT_TRUE(l.cfg.api);
    EXPECT_EQ(l.cfg.api->address.to_string(), "127.0.0.1:9000");
    EXPECT_FALSE(l.cfg.api->dashboard);
    ASSERT_TRUE(l.cfg.access_log);
    EXPECT_EQ(l.cfg.access_log->format, "common");
}

TEST(traefik_forms, environment_variables_as_in_traefiks_documentation) {
    cfg::static_sources s;
    s.working_folder = "/nonexistent";
    s.environment = {"TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=:80", "TRAEFIK_ENTRYPOINTS_WEBSECURE_ADDRESS=:443",
                     "TRAEFIK_PROVIDERS_DOCKER=true", "TRAEFIK_LOG_LEVEL=INFO", "TRAEFIK_PORT=tcp://10.0.0.1:80",
                     "PATH=/usr/bin", "TRAEFIK_ACCESSLOG=true"};
    const auto l = cfg::load_static(s);
    EXPECT_EQ(l.form, "environment variables");
    ASSERT_EQ(l.cfg.entry_points.size(), 2u);
    EXPECT_EQ(l.cfg.log_level, "info");
    EXPECT_NE(provider(l.cfg, "docker"), nullptr);
    EXPECT_TRUE(l.cfg.access_log);
}

TEST(traefik_forms, variables_are_traefiks_only_in_capitals_and_a_missing_configfile_falls_back) {
    temp_folder dir;
    cfg::static_sources s;
    s.working_folder = dir.path;
    s.environment = {"TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=:80", "TRAEFIK_api_insecure=true"};
    EXPECT_FALSE(cfg::load_static(s).cfg.api);  // Traefik matches TRAEFIK_<ROOT> case-sensitively
    s.environment = {"TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=:80", "TRAEFIK_API__INSECURE=true"};
    EXPECT_NE(all_errors([&] { cfg::load_static(s); }).find("an empty level"), std::string::npos);
    // A --configfile that does not exist is not an error in Traefik: the flags are read.
    const auto l = from_flags({"--configfile=/nonexistent/traefik.yml", "--entrypoints.web.address=:8000",
                               "--providers.file.filename=dynamic.toml"},
                              dir.path);
    EXPECT_EQ(l.cfg.entry_points.at(0).address.port, 8000);
    // A relative file is read from the working folder, as Traefik does.
    EXPECT_EQ(l.cfg.file_provider->filename, dir.path / "dynamic.toml");
    const auto d = from_flags({"--entrypoints.web.address=:8000", "--providers.file.directory=conf/dynamic"}, dir.path);
    EXPECT_EQ(d.cfg.file_provider->directory, dir.path / "conf/dynamic");
    s.environment = {"TRAEFIK_ENTRYPOINTS_WEB_ADDRESS=:80", "TRAEFIK_PROVIDERS_FILE_DIRECTORY=/etc/traefik/dynamic"};
    EXPECT_EQ(cfg::load_static(s).cfg.file_provider->directory, "/etc/traefik/dynamic");
}

TEST(traefik_forms, errors_name_the_flag_or_the_variable) {
    temp_folder dir;
    // Every '_' is a level (traefik/traefik#5427): "web_secure" cannot be a name.
    cfg::static_sources s;
    s.working_folder = dir.path;
    s.environment = {"TRAEFIK_ENTRYPOINTS_WEB_SECURE_ADDRESS=:443"};
    const std::string env = all_errors([&] { cfg::load_static(s); });
    EXPECT_NE(env.find("environment variable TRAEFIK_ENTRYPOINTS_WEB_SECURE_ADDRESS"), std::string::npos) << env;
    const std::string flag = all_errors([&] { from_flags({"--entrypoints.web.address=:99999"}, dir.path); });
    EXPECT_NE(flag.find("flag --entrypoints.web.address=:99999: entryPoints.web.address"), std::string::npos) << flag;
    const std::string typo = all_errors([&] { from_flags({"--entrypoints.web.adress=:80"}, dir.path); });
    EXPECT_NE(typo.find("did you mean"), std::string::npos) << typo;
}

TEST(traefik_forms, what_would_change_security_is_refused_and_the_harmless_is_warned_about) {
    temp_folder dir;
    struct row {
        std::vector<std::string> flags;
        const char* says;
    };
    for (const auto& r : std::vector<row>{
             {{"--certificatesresolvers.le.acme.email=a@b.c"}, "certificate resolvers (ACME) are not supported"},
             {{"--entrypoints.websecure.address=:443", "--entrypoints.websecure.http.tls=true"}, "TLS termination"},
             {{"--entrypoints.web.address=:80", "--entrypoints.web.http.redirections.entrypoint.to=websecure"},
              "redirections"},
             {{"--entrypoints.web.address=:80", "--entrypoints.web.proxyprotocol.insecure=true"}, "PROXY protocol"},
             {{"--providers.kubernetescrd"}, "the kubernetescrd provider is not supported"},
             {{"--experimental.plugins.x.modulename=github.com/a/b"}, "Traefik plugins cannot run"},
             {{"--entrypoints.dns.address=:53/udp"}, "only TCP entry points"},
             // The API's listener is protected as any entry point would be.
             {{"--api.insecure=true", "--entrypoints.traefik.address=:9000", "--entrypoints.traefik.http.tls=true"},
              "TLS termination"},
             {{"--entrypoints.web.address=:80", "--entrypoints.web.http.underscoreheadersstrategy=reject"},
              "always forwarded"},
             // Without api, ping or metrics Traefik keeps it out of routers' entry points.
             {{"--entrypoints.web.address=:80", "--entrypoints.traefik.address=:9000"}, "the API's listener"},
             {{"--entryPoints.web=:8000"}, "expected a table"},
             {{"--entrypoints.web.address=:80", "--providers.file"}, "providers.file: expected a table"},
             {{"--entrypoints.web.address=:80", "--providers.file.watch=true"}, "neither filename nor directory"},
             {{"--entrypoints.web.address=:80", "--providers.file.filename=a.yml", "--providers.file.directory=d"},
              "mutually exclusive"},
             {{"--entrypoints.web.address=:80", "--providers.file.directory="}, "neither filename nor directory"},
             {{"--entrypoints.web.address=:80", "--providers.docker.swarmmode=true", "--providers.swarm=true"},
              "use providers.swarm alone"},
             {{"--api.insecure=true", "--api.basepath=/traefik"}, "served at / only"},
         }) {
        const std::string errors = all_errors([&] { from_flags(r.flags, dir.path); });
        EXPECT_NE(errors.find(r.says), std::string::npos) << r.flags.front() << "\n" << errors;
    }
    const auto l = from_flags({"--global.checknewversion=false", "--global.sendanonymoususage=false", "--pilot.token=x",
                               "--tracing=true", "--entrypoints.web.address=:80/tcp", "--entrypoints.web.http2.maxconcurrentstreams=10"},
                              dir.path);
    EXPECT_TRUE(has_warning(l, "global: ignored"));
    EXPECT_TRUE(has_warning(l, "pilot: ignored"));
    EXPECT_TRUE(has_warning(l, "entryPoints.web.http2: ignored"));
    EXPECT_EQ(l.cfg.entry_points.at(0).address.port, 80);
}

TEST(traefik_forms, a_yaml_file_and_its_errors_at_its_own_lines) {
    temp_folder dir;
    const auto file = dir.write("traefik.yml",
                                "entryPoints:\n"
                                "  web:\n"
                                "    address: \":80\"\n"
                                "  admin:\n"
                                "    address: nowhere\n"
                                "providers:\n"
                                "  docker: {}\n"
                                "  file:\n"
                                "    filename: dynamic.toml\n"
                                "log:\n"
                                "  level: DEBUG\n");
    const std::string errors = all_errors([&] { from_flags({"--configfile=" + file.string()}, dir.path); });
    EXPECT_NE(errors.find(file.string() + ":5: entryPoints.admin.address"), std::string::npos) << errors;

    dir.write("traefik.yml",
              "entryPoints:\n  web:\n    address: \":8000\"\n"
              "    forwardedHeaders:\n      trustedIPs: [\"10.0.0.0/8\", 192.168.0.0/16]\n"
              "    transport:\n      respondingTimeouts:\n        idleTimeout: 30\n"
              "providers:\n  docker:\n  file:\n    filename: dynamic.toml\n"
              "api:\n  insecure: true\n");
    // Found in the working folder; the flags beside it are not read, as in Traefik.
    const auto l = from_flags({"--log.level=debug"}, dir.path);
    EXPECT_EQ(l.form, (dir.path / "traefik.yml").string());
    EXPECT_TRUE(has_warning(l, "flag --log.level=debug: ignored"));
    ASSERT_EQ(l.cfg.entry_points.size(), 1u);
    EXPECT_EQ(l.cfg.entry_points[0].forwarded_trusted.size(), 2u);
    EXPECT_EQ(l.cfg.entry_points[0].idle_timeout, std::chrono::seconds(30));
    EXPECT_EQ(provider(l.cfg, "docker"), nullptr);  // `docker:` with no value is null: off, as in Traefik
    ASSERT_TRUE(l.cfg.file_provider);
    EXPECT_EQ(l.cfg.file_provider->filename, dir.path / "dynamic.toml");
    EXPECT_TRUE(l.cfg.api);
}

TEST(traefik_forms, yaml_files_that_traefik_would_read_otherwise_are_refused) {
    temp_folder dir;
    struct row {
        const char* yaml;
        const char* says;
    };
    for (const auto& r : std::vector<row>{
             {"", "no configuration found in the file"},
             {"base: &b {address: \":80\"}\nentryPoints:\n  web:\n    <<: *b\n", "traefik.yml:4: merge keys"},
             {"entryPoints:\n  web: {address: \":80\"}\nentrypoints:\n  admin: {address: \":81\"}\n",
              "traefik.yml:3: \"entrypoints\" is given twice"},
         }) {
        const auto file = dir.write("traefik.yml", r.yaml);
        const std::string errors = all_errors([&] { from_flags({"--configfile=" + file.string()}, dir.path); });
        EXPECT_NE(errors.find(r.says), std::string::npos) << r.yaml << "\n" << errors;
    }
    // Dynamic configuration in the static file is not read (as in Traefik); the provider's
    // table keeps its own line for the errors it reports later.
    const auto file = dir.write("traefik.yml",
                                "entryPoints:\n  web:\n    address: \":80\"\n"
                                "http:\n  routers:\n    r: {rule: \"Host(`a`)\", service: s}\n"
                                "providers:\n  docker:\n    watch: true\n    exposedByDefault: false\n");
    const auto l = from_flags({"--configfile=" + file.string()}, dir.path);
    EXPECT_TRUE(has_warning(l, "http: ignored"));
    EXPECT_TRUE(has_warning(l, "providers.docker.watch: ignored"));
    EXPECT_FALSE(l.cfg.file_provider);
    const auto* docker = provider(l.cfg, "docker");
    ASSERT_NE(docker, nullptr);
    EXPECT_EQ(docker->options.line, 8u);
    EXPECT_EQ(docker->options.line_of("exposedByDefault"), 10u);
}

TEST(traefik_forms, traefiks_search_order_and_sluices_own_file) {
    temp_folder dir;
    cfg::static_sources s;
    s.working_folder = dir.path / "work";
    std::filesystem::create_directories(s.working_folder);
    s.environment = {"XDG_CONFIG_HOME=" + (dir.path / "xdg").string(), "HOME=" + (dir.path / "home").string()};
    EXPECT_FALSE(cfg::find_traefik_file(s));
    dir.write("work/traefik.yml", "entryPoints: {web: {address: \":1\"}}\n");
    EXPECT_EQ(*cfg::find_traefik_file(s), s.working_folder / "traefik.yml");
    dir.write("home/.config/traefik.yaml", "entryPoints: {web: {address: \":2\"}}\n");
    EXPECT_EQ(*cfg::find_traefik_file(s), dir.path / "home/.config/traefik.yaml");
    dir.write("xdg/traefik.toml", "[entryPoints.web]\naddress = \":3\"\n");
    EXPECT_EQ(*cfg::find_traefik_file(s), dir.path / "xdg/traefik.toml");
    s.traefik_args = {"--configFile=" + (dir.path / "mine.yml").string()};
    dir.write("mine.yml", "entryPoints: {web: {address: \":4\"}}\n");
    EXPECT_EQ(*cfg::find_traefik_file(s), dir.path / "mine.yml");
    EXPECT_EQ(cfg::load_static(s).cfg.entry_points.at(0).address.port, 4);
    // Sluice's own file in the working folder comes first when no flag is given.
    s.traefik_args.clear();
    dir.write("work/sluice.toml", "[entryPoints.web]\naddress = \":5\"\n");
    EXPECT_EQ(cfg::load_static(s).cfg.entry_points.at(0).address.port, 5);
}

// Every router, service and middleware shape of the TOML tests (config_test.cpp), written in
// YAML as Traefik's documentation does: the same document, the same objects.
TEST(yaml_document, every_dynamic_shape_reads_as_its_toml_twin) {
    struct twin {
        const char* toml;
        const char* yaml;
    };
    // What a plugin reads from its table (inline or not, the same options).
    const auto options = [](const cfg::plugin_table& t) { return toml::parse(t.text); };
    const std::vector<twin> twins{
        {R"toml(
[http.routers.api]
rule = "Host(`a`) && PathPrefix(`/api/`)"
service = "api"
middlewares = ["strip", "auth@docker"]
priority = 10
entryPoints = ["web", "admin"]
)toml",
         R"yaml(
http:
  routers:
    api:
      rule: "Host(`a`) && PathPrefix(`/api/`)"
      service: api
      middlewares: [strip, auth@docker]
      priority: 10
      entryPoints:
        - web
        - admin
)yaml"},
        {R"toml(
[http.services.api.loadBalancer]
strategy = "hash"
passHostHeader = false
retries = 2
slowStart = "30s"
servers = [{ url = "http://127.0.0.1:9001" }, { url = "http://127.0.0.1:9002", weight = 3 }]
[http.services.api.loadBalancer.healthCheck]
path = "/health"
interval = "5s"
timeout = "1s"
headers = { X-Probe = "sluice" }
[http.services.api.loadBalancer.passiveHealthCheck]
maxFailedAttempts = 3
failureWindow = "10s"
[http.services.api.loadBalancer.sticky.cookie]
name = "pin"
secure = true
httpOnly = true
sameSite = "lax"
maxAge = 60
[http.services.api.loadBalancer.hash]
key = "header:X-User"
)toml",
         R"yaml(
http:
  services:
    api:
      loadBalancer:
        strategy: hash
        passHostHeader: false
        retries: 2
        slowStart: 30s
        servers:
          - url: "http://127.0.0.1:9001"
          - url: "http://127.0.0.1:9002"
            weight: 3
        healthCheck:
          path: /health
          interval: 5s
          timeout: 1s
          headers:
            X-Probe: sluice
        passiveHealthCheck:
          maxFailedAttempts: 3
          failureWindow: 10s
        sticky:
          cookie:
            name: pin
            secure: true
            httpOnly: true
            sameSite: lax
            maxAge: 60
        hash:
          key: "header:X-User"
)yaml"},
        {R"toml(
[http.services.canary.weighted]
services = [{ name = "v1", weight = 3 }, { name = "v2@docker" }]
[http.services.canary.weighted.sticky.cookie]
name = "lane"
[http.services.canary.weighted.healthCheck]
[http.services.safe.failover]
service = "main"
fallback = "spare"
[http.services.shadow.mirroring]
service = "main"
maxBodySize = 1024
mirrorBody = false
mirrors = [{ name = "m1", percent = 10 }, { name = "m2@docker" }]
)toml",
         R"yaml(
http:
  services:
    canary:
      weighted:
        services:
          - name: v1
            weight: 3
          - name: v2@docker
        sticky:
          cookie:
            name: lane
        healthCheck: {}
    safe:
      failover:
        service: main
        fallback: spare
    shadow:
      mirroring:
        service: main
        maxBodySize: 1024
        mirrorBody: false
        mirrors:
          - name: m1
            percent: 10
          - name: m2@docker
)yaml"},
        {R"toml(
[http.middlewares.strip.stripPrefix]
prefixes = ["/api", "/v1"]
forceSlash = false
[http.middlewares.inline]
stripPrefix = { prefixes = ["/a"] }
[http.middlewares.tagged.headers]
customRequestHeaders = { X-Script = "yes", X-Empty = "" }
)toml",
         R"yaml(
http:
  middlewares:
    strip:
      stripPrefix:
        prefixes:
          - /api
          - /v1
        forceSlash: false
    inline:
      stripPrefix: { prefixes: [/a] }
    tagged:
      headers:
        customRequestHeaders:
          X-Script: "yes"
          X-Empty: ""
)yaml"},
    };
    for (const auto& t : twins) {
        const toml::table from_toml = cfg::parse_toml_text(t.toml, "dyn.toml");
        const toml::table from_yaml = cfg::yaml_as_toml(t.yaml, "dyn.yml").parse();
        EXPECT_EQ(from_yaml, from_toml) << "YAML read as:\n" << from_yaml << "\nTOML:\n" << from_toml;
        const auto a = cfg::parse_dynamic_config(from_toml, "file", "dyn.toml", false, {"sticky"});
        const auto b = cfg::parse_dynamic_config(from_yaml, "file", "dyn.yml", false, {"sticky"});
        EXPECT_EQ(a.invalid.size(), 0u) << t.toml;
        EXPECT_EQ(b.invalid.size(), 0u) << t.yaml;
        ASSERT_EQ(a.routers.size(), b.routers.size());
        ASSERT_EQ(a.services.size(), b.services.size());
        ASSERT_EQ(a.middlewares.size(), b.middlewares.size());
        for (const auto& [name, r] : a.routers) {
            const auto& y = b.routers.at(name);
            EXPECT_EQ(std::tie(r.rule, r.service, r.middlewares, r.priority, r.entry_points),
                      std::tie(y.rule, y.service, y.middlewares, y.priority, y.entry_points));
        }
        for (const auto& [name, sv] : a.services) {
            const auto& y = b.services.at(name);
            EXPECT_EQ(sv.type, y.type);
            EXPECT_EQ(sv.strategy, y.strategy);
            EXPECT_EQ(options(sv.strategy_options), options(y.strategy_options));
            ASSERT_EQ(sv.wrappers.size(), y.wrappers.size());
            for (std::size_t i = 0; i < sv.wrappers.size(); ++i) EXPECT_EQ(options(sv.wrappers[i]), options(y.wrappers[i]));
            ASSERT_EQ(sv.servers.size(), y.servers.size());
            for (std::size_t i = 0; i < sv.servers.size(); ++i)
                EXPECT_EQ(std::tie(sv.servers[i].url, sv.servers[i].weight), std::tie(y.servers[i].url, y.servers[i].weight));
            ASSERT_EQ(sv.children.size(), y.children.size());
            for (std::size_t i = 0; i < sv.children.size(); ++i)
                EXPECT_EQ(std::tie(sv.children[i].service, sv.children[i].weight),
                          std::tie(y.children[i].service, y.children[i].weight));
            EXPECT_EQ(sv.sticky.has_value(), y.sticky.has_value());
            EXPECT_EQ(std::tie(sv.mirror_body, sv.max_body_size, sv.pass_host_header, sv.retries, sv.slow_start),
                      std::tie(y.mirror_body, y.max_body_size, y.pass_host_header, y.retries, y.slow_start));
            EXPECT_EQ(sv.health_check.has_value(), y.health_check.has_value());
            if (sv.health_check && y.health_check) {
                EXPECT_EQ(sv.health_check->headers, y.health_check->headers);
            }
            EXPECT_EQ(sv.passive_health_check.has_value(), y.passive_health_check.has_value());
        }
        for (const auto& [name, m] : a.middlewares) EXPECT_EQ(options(m.plugin), options(b.middlewares.at(name).plugin));
    }
}

TEST(yaml_document, values_keep_their_yaml_types_and_lines) {
    const auto text = cfg::yaml_as_toml(
        "a:\n  int: 42\n  float: 1.5\n  yes: true\n  quoted: \"42\"\n  plain: Host(`x`)\n  zero: 0010\n"
        "  list:\n    - url: http://a\n      weight: 2\n    - url: http://b\n  none: ~\n",
        "f.yml");
    const auto t = text.parse();
    EXPECT_EQ(t["a"]["int"].value<std::int64_t>(), 42);
    EXPECT_EQ(t["a"]["float"].value<double>(), 1.5);
    EXPECT_EQ(t["a"]["yes"].value<bool>(), true);
    EXPECT_EQ(t["a"]["quoted"].value<std::string>(), "42");
    EXPECT_EQ(t["a"]["plain"].value<std::string>(), "Host(`x`)");
    EXPECT_EQ(t["a"]["zero"].value<std::int64_t>(), 10);
    EXPECT_EQ(t["a"]["list"][1]["url"].value<std::string>(), "http://b");
    EXPECT_FALSE(t["a"]["none"]);
    cfg::error_list errors{{"f.yml", t["a"]["list"].node()->source().begin.line + 2, "", "x"}};
    text.relocate(errors);
    EXPECT_EQ(errors[0].line, 11u);  // the second item of the list
    const std::string bad = all_errors([] { cfg::yaml_as_toml("a: [1, 2\nb: 3\n", "bad.yml"); });
    EXPECT_NE(bad.find("bad.yml:"), std::string::npos) << bad;
}

}  // namespace
