/* The Sluice plugin boundary, in plain C.
 *
 * Everything that crosses between the host (sluice) and a plugin library is declared here:
 * fixed-width integers, pointers, NUL-free string views and function tables. No C++ type,
 * exception or allocator crosses, so any compiler that speaks the platform's C ABI can build
 * a plugin, and any language that can export a C function can write one. The C++20 layer in
 * sluice/sdk/ is built on this header and is what most authors use.
 *
 * Versioning. A plugin states the ABI it was built for (abi_major, abi_minor). The host loads
 * it when the majors are equal and the plugin's minor is not newer than its own. Within a
 * major, minors only append: fields at the end of a struct (every struct that may grow starts
 * with struct_size, which the reader checks before reading an appended field) and functions
 * at the end of a table. Nothing is ever removed or reordered without a new major.
 *
 * Ownership. OWNED_BY_HOST: the host allocates and frees it; the plugin never frees it.
 * OWNED_BY_PLUGIN: the plugin allocates it and frees it in the matching destroy function,
 * which the host calls exactly once. A borrowed view (sluice_str, the host objects handed to a
 * hook) is valid only until the call that received it returns, unless stated otherwise: copy
 * what you keep.
 *
 * Threads. Each function says on which threads it may be called. "Any thread" means
 * concurrently, from every worker at once.
 *
 * Failure. No function returns by unwinding: a plugin catches its own exceptions (the C++
 * layer does) and reports them with sluice_host_api::report_fault.
 */
#ifndef SLUICE_ABI_H
#define SLUICE_ABI_H

#ifdef __cplusplus
#include <cstddef>
#include <cstdint>
extern "C" {
#else
#include <stddef.h>
#include <stdint.h>
#endif

#define SLUICE_ABI_MAJOR 4
#define SLUICE_ABI_MINOR 2

#define SLUICE_OWNED_BY_HOST   /* memory the host allocates and frees */
#define SLUICE_OWNED_BY_PLUGIN /* memory the plugin allocates and frees */

#if defined(_WIN32)
#define SLUICE_EXPORT __declspec(dllexport)
#else
#define SLUICE_EXPORT __attribute__((visibility("default")))
#endif

/* A borrowed run of bytes (UTF-8 for text), not NUL-terminated. {NULL, 0} is the empty view. */
typedef struct sluice_str {
    const char* data;
    size_t size;
} sluice_str;

/* --------------------------------------------------------------------------------------
 * Host objects: opaque, SLUICE_OWNED_BY_HOST. A plugin only passes them back to the host's
 * functions (sluice_host_api).
 * ------------------------------------------------------------------------------------ */

/* One configured plugin object's link to the host: its name, kind and instance for logs,
 * faults and metrics. Given to the object's create function; valid until its destroy returns. */
typedef struct sluice_host sluice_host;
/* The request as it will be forwarded. Valid during the hook that receives it. */
typedef struct sluice_request sluice_request;
/* A response before it goes to the client: the server's, or one the proxy produced itself
 * (a middleware's local reply, a 502/503/504). Valid during the hook that receives it. */
typedef struct sluice_response sluice_response;
/* The answer a middleware may give instead of forwarding. Valid during on_request. */
typedef struct sluice_local_reply sluice_local_reply;
/* Collects configuration errors. Valid during the create function that receives it. */
typedef struct sluice_error_sink sluice_error_sink;
/* The host's side of one pick (see sluice_balancer_ops::pick). Valid during pick. */
typedef struct sluice_server_filter sluice_server_filter;
/* The picker a wrapping balancer wraps. Valid for the life of the wrapping picker. */
typedef struct sluice_inner_picker sluice_inner_picker;
/* Where a provider publishes configuration. Valid from start until stop returns. */
typedef struct sluice_document_sink sluice_document_sink;
/* A plugin-owned metric, registered through the host. Valid until the registering object's
 * destroy returns. */
typedef struct sluice_metric sluice_metric;

typedef enum sluice_log_level {
    SLUICE_LOG_TRACE = 0,
    SLUICE_LOG_DEBUG = 1,
    SLUICE_LOG_INFO = 2,
    SLUICE_LOG_WARN = 3,
    SLUICE_LOG_ERROR = 4
} sluice_log_level;

/* One server of a service, as configured. */
typedef struct sluice_server_info {
    sluice_str url;  /* stable identity of the server across reloads */
    uint32_t weight; /* >= 1 */
} sluice_server_info;

/* How one attempt on a server ended (sluice_balancer_ops::on_attempt). */
typedef enum sluice_attempt_outcome {
    SLUICE_ATTEMPT_RESPONSE = 0, /* the server answered; the response was relayed (or failed mid-body) */
    SLUICE_ATTEMPT_REFUSED = 1,  /* no connection: refused, unreachable, or the dial timed out */
    SLUICE_ATTEMPT_TIMEOUT = 2,  /* connected, but no response head within the timeout */
    SLUICE_ATTEMPT_RESET = 3     /* the connection broke before a response head */
} sluice_attempt_outcome;

typedef struct sluice_attempt {
    uint32_t struct_size;
    int32_t server;      /* the index pick returned */
    uint32_t outcome;    /* sluice_attempt_outcome */
    uint16_t status;     /* the response status for SLUICE_ATTEMPT_RESPONSE, else 0 */
    uint64_t latency_us; /* from the start of the attempt to the response head, or to the failure */
} sluice_attempt;

/* What a middleware's on_request decides. */
typedef enum sluice_verdict {
    SLUICE_PROCEED = 0, /* next middleware, then the service */
    SLUICE_RESPOND = 1, /* answer with the local reply now; later middlewares and the service are skipped */
    SLUICE_FAILED = 2   /* the hook failed (and reported its fault): the host answers 500 */
} sluice_verdict;

/* A pick that failed inside the picker (it reported its fault): the host chooses itself. */
#define SLUICE_PICK_FAILED (-2)

/* Called once per header field, in order; returns 0 to stop early. */
typedef int32_t (*sluice_header_visitor)(void* context, sluice_str name, sluice_str value);

/* --------------------------------------------------------------------------------------
 * What the host offers. One table for the process, handed to every create function; valid
 * until the plugin library is unloaded. Header names compare case-insensitively.
 * ------------------------------------------------------------------------------------ */
typedef struct sluice_host_api {
    uint32_t struct_size;
    uint16_t abi_major; /* the host's ABI */
    uint16_t abi_minor;

    /* Logging and faults. Any thread. */
    void (*log)(const sluice_host* host, uint32_t level, sluice_str message);
    int32_t (*log_enabled)(const sluice_host* host, uint32_t level);
    /* A hook of this object failed (an exception caught at the boundary): counted and
     * logged, once per burst. `hook` names it ("pick", "on_request"). */
    void (*report_fault)(const sluice_host* host, sluice_str hook, sluice_str what);

    /* Configuration errors. The create function's thread. `key` is the path inside the
     * object's own table ("prefixes[1]", "cookie.name"), empty for the table as a whole. */
    void (*config_error)(sluice_error_sink* sink, sluice_str key, sluice_str message);

    /* Metrics. Registration from create only; updates from any thread. Exported on
     * /metrics as sluice_plugin_<name>{plugin, instance} (counters end in _total). A name is
     * [a-z0-9_]. A series is one per plugin, instance and name: registering a name again
     * (as the object a reload creates for the same instance does) returns the same series,
     * which keeps counting. An invalid name, or one registered as the other type, returns
     * NULL and logs why. A counter ignores a delta <= 0 and metric_set. */
    sluice_metric* (*counter)(sluice_host* host, sluice_str name, sluice_str help);
    sluice_metric* (*gauge)(sluice_host* host, sluice_str name, sluice_str help);
    void (*metric_add)(sluice_metric* metric, int64_t delta); /* a counter only grows */
    void (*metric_set)(sluice_metric* metric, int64_t value); /* gauges */

    /* The request. The hook's thread. Getters return views valid until the request is
     * changed or the hook returns. */
    sluice_str (*request_method)(const sluice_request* request);
    /* Origin-form target as it will be sent upstream: path and query, still encoded. */
    sluice_str (*request_target)(const sluice_request* request);
    /* The path in routing form: escapes decoded except reserved characters' and %25. */
    sluice_str (*request_routing_path)(const sluice_request* request);
    /* Host without port, lower-cased; empty when the request has none. */
    sluice_str (*request_host)(const sluice_request* request);
    /* The TCP peer's address, never taken from a header. */
    sluice_str (*request_client_ip)(const sluice_request* request);
    /* 1 and the first value of the field when present; 0 and an empty view when absent. */
    int32_t (*request_header)(const sluice_request* request, sluice_str name, sluice_str* value);
    void (*request_visit_headers)(const sluice_request* request, sluice_header_visitor visitor, void* context);
    void (*request_set_target)(sluice_request* request, sluice_str target);
    /* Replaces every value of the field. */
    void (*request_set_header)(sluice_request* request, sluice_str name, sluice_str value);
    void (*request_add_header)(sluice_request* request, sluice_str name, sluice_str value);
    void (*request_remove_header)(sluice_request* request, sluice_str name);

    /* A response. The hook's thread. */
    uint16_t (*response_status)(const sluice_response* response);
    int32_t (*response_header)(const sluice_response* response, sluice_str name, sluice_str* value);
    void (*response_visit_headers)(const sluice_response* response, sluice_header_visitor visitor, void* context);
    void (*response_set_header)(sluice_response* response, sluice_str name, sluice_str value);
    void (*response_add_header)(sluice_response* response, sluice_str name, sluice_str value);
    void (*response_remove_header)(sluice_response* response, sluice_str name);

    /* A middleware's own answer. on_request's thread. */
    void (*reply_set_status)(sluice_local_reply* reply, uint16_t status);
    void (*reply_set_header)(sluice_local_reply* reply, sluice_str name, sluice_str value);
    void (*reply_set_body)(sluice_local_reply* reply, sluice_str body);

    /* Picks. The picking thread. accept: 1 when the host takes `server` (it is up, has not
     * failed this request, the proposal cap is not reached, and a server in its slow start
     * takes this new placement: it takes a growing share of them), else 0. */
    int32_t (*filter_accept)(const sluice_server_filter* filter, int32_t server);
    /* The wrapped picker's hooks, for a wrapping balancer (see sluice_balancer_ops). */
    int32_t (*inner_pick)(sluice_inner_picker* inner, const sluice_request* request,
                          const sluice_server_filter* filter);
    void (*inner_on_response)(sluice_inner_picker* inner, const sluice_request* request, sluice_response* response,
                              int32_t server);
    void (*inner_on_attempt)(sluice_inner_picker* inner, const sluice_request* request,
                             const sluice_attempt* attempt);

    /* A provider's configuration: a complete TOML document with [http.routers],
     * [http.services] and [http.middlewares] tables, replacing everything this provider
     * published before. Any thread; the text is copied before the call returns. */
    void (*publish)(sluice_document_sink* sink, sluice_str toml_document);

    /* Since 4.1. Picks, the picking thread: as filter_accept, for a server the request is
     * already pinned to (a sticky cookie names it). Slow start does not apply: a client
     * pinned to a server keeps it while it is up. */
    int32_t (*filter_accept_pinned)(const sluice_server_filter* filter, int32_t server);

    /* Since 4.2. A response, the hook's thread: asks the host to name the body's type from its
     * first bytes (the WHATWG MIME sniffing rules, as Go's http.DetectContentType) when the
     * response has no Content-Type by the time it is sent, and a non-empty body. */
    void (*response_detect_content_type)(sluice_response* response);
} sluice_host_api;

/* --------------------------------------------------------------------------------------
 * What a plugin offers: one table per kind. Objects are SLUICE_OWNED_BY_PLUGIN, opaque to
 * the host, created by `create` (or create_picker) and freed by the matching destroy.
 *
 * Every create receives the host table, the object's host link, the configured instance's
 * name ("strip-api@file", for messages), and the plugin's own configuration table as TOML
 * text (the table named after the plugin). It returns NULL after reporting every error to
 * `errors`. Creation runs on the control thread. Destruction runs on the thread that lets go
 * of the last configuration holding the object: the control thread, or a worker whose last
 * request under an older configuration just ended. It never runs concurrently with the
 * object's own hooks, but two objects of one plugin may be destroyed on two threads at once:
 * state a plugin shares between its objects must be thread-safe.
 * ------------------------------------------------------------------------------------ */

/* Balancers pick one server of a service for each request. A picker is built per server
 * set and is immutable: pick, on_response and on_attempt run on every worker at once, must
 * not block, and should not allocate. */
typedef struct sluice_balancer_ops {
    uint32_t struct_size;
    void* (*create)(const sluice_host_api* api, sluice_host* host, sluice_str instance, sluice_str config,
                    sluice_error_sink* errors);
    void (*destroy)(void* balancer);
    /* `servers` (count entries) and `inner` stay valid until destroy_picker returns. `inner`
     * is the picker a wrapping balancer wraps, NULL for a strategy. Every picker is destroyed
     * before the balancer that created it (a picker may use its balancer's state). */
    void* (*create_picker)(void* balancer, const sluice_server_info* servers, size_t count,
                           sluice_inner_picker* inner, sluice_error_sink* errors);
    void (*destroy_picker)(void* picker);
    /* The first server of the picker's order that the filter accepts, -1 when it accepts
     * none, or SLUICE_PICK_FAILED. Health and retries are the host's business. */
    int32_t (*pick)(void* picker, const sluice_request* request, const sluice_server_filter* filter);
    /* Optional (NULL). Before the response of an attempt whose server pick returned goes to
     * the client (to set a cookie, say). Not called when no server answered. */
    void (*on_response)(void* picker, const sluice_request* request, sluice_response* response, int32_t server);
    /* Optional (NULL). Exactly once for every attempt on a server this picker's pick
     * returned, when the attempt ends: after its response went out, or when it failed. A
     * server the host does not take after all (it went down after the filter accepted it)
     * ends at once as SLUICE_ATTEMPT_REFUSED with latency 0. */
    void (*on_attempt)(void* picker, const sluice_request* request, const sluice_attempt* attempt);
} sluice_balancer_ops;

/* Middlewares rewrite a request on its way in and its response on the way out. One
 * configured middleware is immutable and its hooks run on every worker at once. */
typedef struct sluice_middleware_ops {
    uint32_t struct_size;
    void* (*create)(const sluice_host_api* api, sluice_host* host, sluice_str instance, sluice_str config,
                    sluice_error_sink* errors);
    void (*destroy)(void* middleware);
    /* `state` is this request's slot for this middleware, NULL on entry: what the hook stores
     * there is handed to on_response and then to end_request. Returns a sluice_verdict. */
    uint32_t (*on_request)(void* middleware, sluice_request* request, sluice_local_reply* reply, void** state);
    /* Optional (NULL). Runs in reverse order for every middleware whose on_request ran, for
     * whatever response goes out: the server's, a middleware's local reply, or the proxy's
     * own 502/503/504. Returns SLUICE_PROCEED, or SLUICE_FAILED (the host answers 500). */
    uint32_t (*on_response)(void* middleware, const sluice_request* request, sluice_response* response,
                            void* state);
    /* Optional (NULL). Called once when the request is over, when on_request stored a
     * non-NULL state, to free it; always before the middleware's destroy. */
    void (*end_request)(void* middleware, void* state);
} sluice_middleware_ops;

/* Providers discover configuration. A provider owns its threads: start returns promptly
 * (1 when started, 0 after logging why it cannot), stop joins them. Control thread. */
typedef struct sluice_provider_ops {
    uint32_t struct_size;
    void* (*create)(const sluice_host_api* api, sluice_host* host, sluice_str instance, sluice_str config,
                    sluice_error_sink* errors);
    void (*destroy)(void* provider);
    int32_t (*start)(void* provider, sluice_document_sink* sink);
    void (*stop)(void* provider);
} sluice_provider_ops;

typedef enum sluice_plugin_kind {
    SLUICE_KIND_BALANCER = 1,
    SLUICE_KIND_MIDDLEWARE = 2,
    SLUICE_KIND_PROVIDER = 3
} sluice_plugin_kind;

/* What a balancer is to a service. */
typedef enum sluice_balancer_role {
    /* Picks among the servers: loadBalancer.strategy = "<name>", options in loadBalancer.<name>. */
    SLUICE_ROLE_STRATEGY = 0,
    /* Wraps the strategy's picker (create_picker's `inner`): switched on by a table
     * loadBalancer.<name>, its options. Several nest in loading order, the first innermost. */
    SLUICE_ROLE_WRAPPER = 1
} sluice_balancer_role;

/* The plugin's descriptor, static storage. */
typedef struct sluice_plugin {
    uint32_t struct_size;
    uint16_t abi_major; /* SLUICE_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor;
    uint32_t kind; /* sluice_plugin_kind */
    uint32_t role; /* sluice_balancer_role; 0 for other kinds */
    const char* name;           /* what configuration uses: strategy = "<name>", [<name>] tables */
    const char* version;        /* the plugin's own version */
    const char* summary;        /* one line, for `sluice plugins` */
    const char* example_config; /* a TOML table body showing every option */
    /* Exactly the one matching `kind` is set. */
    const sluice_balancer_ops* balancer;
    const sluice_middleware_ops* middleware;
    const sluice_provider_ops* provider;
} sluice_plugin;

/* The one symbol a plugin library exports. Returns its descriptor; called once, at load.
 * A host checks that the symbol is a function before calling it (dladdr1 with
 * RTLD_DL_SYMENT: STT_FUNC): plugins built for ABI 3 export a data symbol of the same name
 * (a pointer to their descriptor function, Boost.DLL's alias), and calling that would crash. */
#define SLUICE_PLUGIN_ENTRY "sluice_plugin_entry"
typedef const sluice_plugin* (*sluice_plugin_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLUICE_ABI_H */
