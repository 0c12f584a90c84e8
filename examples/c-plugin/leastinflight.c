/* leastinflight: a balancer strategy written in plain C, against sluice/abi.h alone.
 *
 * Each request goes to the server with the fewest attempts in flight among those the host
 * accepts; ties go round-robin. pick counts the attempt it starts and on_attempt, which the
 * host calls exactly once when that attempt ends, counts it out, so the figures cannot
 * drift. Each configured balancer also keeps a gauge of its attempts in flight, exported on
 * /metrics as sluice_plugin_leastinflight_in_flight{plugin="leastinflight",instance="<service>@<provider>"}.
 *
 *     [http.services.api.loadBalancer]
 *     strategy = "leastinflight"
 *
 * It takes no options. Any C99 compiler with C11 atomics builds it; nothing of C++ is used.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/abi.h"

#define STR(literal) ((sluice_str){literal, sizeof(literal) - 1})

/* One configured balancer: created on the control thread, read by its pickers. */
typedef struct balancer {
    const sluice_host_api* api;
    sluice_metric* in_flight; /* NULL if the host refused the name; updates are then skipped */
} balancer;

/* One server set's picker. pick and on_attempt run on every worker at once: the counts are
 * atomics, and nothing is allocated or locked after creation. */
typedef struct picker {
    balancer* owner;
    size_t count;
    atomic_uint next;       /* where the next tie-break starts */
    atomic_uint* in_flight; /* per server, count entries */
} picker;

/* A TOML table body with anything but blank lines and comments sets an option. */
static int has_options(sluice_str config) {
    int in_comment = 0;
    for (size_t i = 0; i < config.size; ++i) {
        const char c = config.data[i];
        if (c == '\n') in_comment = 0;
        else if (c == '#') in_comment = 1;
        else if (!in_comment && c != ' ' && c != '\t' && c != '\r') return 1;
    }
    return 0;
}

static void* create(const sluice_host_api* api, sluice_host* host, sluice_str instance, sluice_str config,
                    sluice_error_sink* errors) {
    (void)instance;
    if (has_options(config)) {
        api->config_error(errors, STR(""), STR("leastinflight takes no options"));
        return NULL;
    }
    balancer* b = calloc(1, sizeof *b);
    if (!b) {
        api->config_error(errors, STR(""), STR("out of memory"));
        return NULL;
    }
    b->api = api;
    b->in_flight =
        api->gauge(host, STR("leastinflight_in_flight"), STR("Attempts in flight on the servers this balancer picked."));
    return b;
}

static void destroy(void* self) { free(self); }

static void* create_picker(void* self, const sluice_server_info* servers, size_t count, sluice_inner_picker* inner,
                           sluice_error_sink* errors) {
    (void)servers;
    (void)inner; /* a strategy wraps nothing */
    balancer* b = self;
    picker* p = calloc(1, sizeof *p);
    atomic_uint* counts = calloc(count ? count : 1, sizeof *counts);
    if (!p || !counts) {
        free(p);
        free(counts);
        b->api->config_error(errors, STR(""), STR("out of memory"));
        return NULL;
    }
    p->owner = b;
    p->count = count;
    p->in_flight = counts;
    atomic_init(&p->next, 0);
    for (size_t i = 0; i < count; ++i) atomic_init(&counts[i], 0);
    return p;
}

static void destroy_picker(void* self) {
    picker* p = self;
    free(p->in_flight);
    free(p);
}

static void count_in_flight(balancer* b, int64_t delta) {
    if (b->in_flight) b->api->metric_add(b->in_flight, delta);
}

static int32_t pick(void* self, const sluice_request* request, const sluice_server_filter* filter) {
    (void)request;
    picker* p = self;
    if (p->count == 0) return -1;
    const size_t start = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed) % p->count;
    int32_t best = -1;
    unsigned fewest = 0;
    for (size_t i = 0; i < p->count; ++i) {
        const int32_t server = (int32_t)((start + i) % p->count);
        const unsigned n = atomic_load_explicit(&p->in_flight[server], memory_order_relaxed);
        if (best >= 0 && n >= fewest) continue;
        if (!p->owner->api->filter_accept(filter, server)) continue;
        best = server;
        fewest = n;
        if (n == 0) break;
    }
    if (best >= 0) {
        atomic_fetch_add_explicit(&p->in_flight[best], 1, memory_order_relaxed);
        count_in_flight(p->owner, 1);
    }
    return best;
}

static void on_attempt(void* self, const sluice_request* request, const sluice_attempt* attempt) {
    (void)request;
    picker* p = self;
    if (attempt->server < 0 || (size_t)attempt->server >= p->count) return;
    atomic_fetch_sub_explicit(&p->in_flight[attempt->server], 1, memory_order_relaxed);
    count_in_flight(p->owner, -1);
}

static const sluice_balancer_ops ops = {
    .struct_size = sizeof(sluice_balancer_ops),
    .create = create,
    .destroy = destroy,
    .create_picker = create_picker,
    .destroy_picker = destroy_picker,
    .pick = pick,
    .on_response = NULL,
    .on_attempt = on_attempt,
};

static const sluice_plugin descriptor = {
    .struct_size = sizeof(sluice_plugin),
    .abi_major = SLUICE_ABI_MAJOR,
    .abi_minor = SLUICE_ABI_MINOR,
    .kind = SLUICE_KIND_BALANCER,
    .role = SLUICE_ROLE_STRATEGY,
    .name = "leastinflight",
    .version = "1.0.0",
    .summary = "each request to the server with the fewest attempts in flight (written in C)",
    .example_config = "", /* no options */
    .balancer = &ops,
    .middleware = NULL,
    .provider = NULL,
};

SLUICE_EXPORT const sluice_plugin* sluice_plugin_entry(void) { return &descriptor; }
