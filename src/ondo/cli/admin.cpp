// `ondo admin keys create|list|revoke` (admin_spec(), shown by --help): the gateway's API keys
// in the store that `ondo serve` uses (--data-dir or --db). Layer: cli.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "ondo/cli/admin_usage.h"
#include "ondo/cli/commands.h"
#include "ondo/cli/store_options.h"
#include "ondo/serve/routes/admin.h"
#include "ondo/store/api_keys.h"

namespace ondo::cli {
namespace {

const CommandSpec& admin_spec() {
  static const CommandSpec kSpec = [] {
    CommandSpec spec = {
      "admin",
      "admin keys create [options] | admin keys list | admin keys revoke ID | admin usage [requests] [options]",
      "Manages the API keys in the store `ondo serve` reads (the same --data-dir or --db).\n"
      "create prints the new key as JSON; its \"key\" is the secret, shown this once (only its\n"
      "SHA-256 is stored). list prints every key without secrets; revoke ID stops a key at once.\n"
      "`ondo serve` enforces the limits (rpm, tpm, concurrency, budgets; see docs/api.md, Limits).\n"
      "usage prints the sums of GET /v1/usage (from the daily rollups; --group-by key, model, day,\n"
      "prompt); usage requests the raw rows of GET /v1/usage/requests, paged; JSON or --format csv.",
      {
          data_dir_option_spec(),
          db_option_spec(),
          {"--name", "TEXT", "", "create: a label for people"},
          {"--models", "A,B", "all", "create: the model aliases the key may use"},
          {"--expires-in", "S", "never", "create: the key expires S seconds from now"},
          {"--rpm", "N", "0", "create: requests per minute (0: no limit)"},
          {"--tpm", "N", "0", "create: tokens per minute (0: no limit)"},
          {"--max-concurrent", "N", "0", "create: requests in flight at once (0: no limit)"},
          {"--budget-tokens", "N", "0", "create: tokens per budget period (0: no limit)"},
          {"--budget-usd", "USD", "0", "create: US dollars per budget period at --prices (0: no limit)"},
          {"--budget-period", "P", "", "create: day, week, month or total"},
          {"--meta", "KEY=VALUE", "", "create: a metadata entry; repeat for more"},
      },
      "ondo admin keys create --name ci --models qwen --expires-in 86400\n"
      "ondo admin keys list --db postgres://ondo@db/ondo\n"
      "ondo admin keys revoke k1a2b3c4d5e6f\n"
      "ondo admin usage --from 2026-12-01 --group-by model,day\n"
      "ondo admin usage requests --key k1a2b3c4d5e6f --limit 50 --format csv",
    };
    for (OptionSpec& o : admin_usage_options()) spec.options.push_back(o);
    return spec;
  }();
  return kSpec;
}

Result<store::ApiKey> fields_from_args(const Args& args, int64_t now) {
  store::ApiKey k;
  k.name = args.get("--name").value_or("");
  if (auto m = args.get("--models")) {
    size_t start = 0;
    while (start <= m->size()) {
      const size_t comma = m->find(',', start);
      const std::string part = m->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (part.empty()) return make_error(ErrorCode::InvalidArgument, "--models: empty model name in '" + *m + "'");
      k.models.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  ONDO_ASSIGN_OR_RETURN(k.rpm, args.get_int("--rpm"));
  ONDO_ASSIGN_OR_RETURN(k.tpm, args.get_int("--tpm"));
  ONDO_ASSIGN_OR_RETURN(k.max_concurrent, args.get_int("--max-concurrent"));
  ONDO_ASSIGN_OR_RETURN(k.budget_tokens, args.get_int("--budget-tokens"));
  k.budget_period = args.get("--budget-period").value_or("");
  if (auto usd = args.get("--budget-usd")) {
    char* end = nullptr;
    const double v = std::strtod(usd->c_str(), &end);
    if (usd->empty() || *end != '\0' || !(v >= 0 && v <= 1e9)) {
      return make_error(ErrorCode::InvalidArgument, "--budget-usd: expected US dollars from 0 to 1e9 (seen '" + *usd + "')");
    }
    k.budget_nano_usd = int64_t(std::llround(v * 1e9));
  }
  if (args.has("--expires-in")) {
    ONDO_ASSIGN_OR_RETURN(int64_t in, args.get_int("--expires-in", 0));
    if (in < 1) return make_error(ErrorCode::InvalidArgument, "--expires-in: must be 1 or more seconds (seen " + std::to_string(in) + ")");
    k.expires_at = now + in;
  }
  for (const std::string& kv : args.get_all("--meta")) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error(ErrorCode::InvalidArgument, "--meta " + kv + ": expected KEY=VALUE");
    }
    k.metadata[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return k;
}

// `admin usage [requests]`.
int usage(const Args& args) {
  const auto& pos = args.positional();
  if (pos.size() > 2 || (pos.size() == 2 && pos[1] != "requests")) {
    return report("admin", make_error(ErrorCode::InvalidArgument, "usage: unexpected argument '" + pos.back() + "' (expected 'usage' or 'usage requests')"));
  }
  auto options = store_options(args);
  if (!options.ok()) return report("admin", options.error());
  auto st = store::open_store(*options);
  if (!st.ok()) return report("admin", st.error());
  return admin_usage(**st, pos.size() == 2 ? pos[1] : std::string(), args);
}

int admin(int argc, char** argv) {
  Args args;
  if (auto done = parse_command(admin_spec(), argc, argv, &args)) return *done;
  const auto& pos = args.positional();
  if (!pos.empty() && pos[0] == "usage") return usage(args);
  if (pos.empty() || pos[0] != "keys" || pos.size() < 2) {
    return report("admin", make_error(ErrorCode::InvalidArgument,
                                      "expected 'keys create', 'keys list', 'keys revoke ID' or 'usage' (see --help)"));
  }
  const std::string& action = pos[1];
  const size_t want = action == "revoke" ? 3 : 2;
  if (action != "create" && action != "list" && action != "revoke") {
    return report("admin", make_error(ErrorCode::InvalidArgument, "keys " + action + ": unknown action (expected create, list or revoke)"));
  }
  if (pos.size() != want) {
    return report("admin", make_error(ErrorCode::InvalidArgument,
                                      action == "revoke" ? "keys revoke: expected one key id" : "keys " + action + ": unexpected argument '" + pos.back() + "'"));
  }
  auto options = store_options(args);
  if (!options.ok()) return report("admin", options.error());
  auto st = store::open_store(*options);
  if (!st.ok()) return report("admin", st.error());
  store::Store& s = **st;
  const int64_t now = int64_t(std::time(nullptr));
  if (action == "create") {
    auto fields = fields_from_args(args, now);
    if (!fields.ok()) return report("admin", fields.error());
    auto created = store::create_api_key(s, *fields, now);
    if (!created.ok()) return report("admin", created.error());
    auto out = serve::api_key_json(created->key, now);
    out["key"] = created->secret;
    std::printf("%s\n", out.dump(2).c_str());
    std::fprintf(stderr, "ondo admin: key '%s' created in %s; the secret is shown only now\n",
                 created->key.id.c_str(), s.location().c_str());
    return 0;
  }
  if (action == "list") {
    auto keys = s.list_api_keys();
    if (!keys.ok()) return report("admin", keys.error());
    nlohmann::json data = nlohmann::json::array();
    for (const auto& k : *keys) data.push_back(serve::api_key_json(k, now));
    std::printf("%s\n", data.dump(2).c_str());
    return 0;
  }
  if (auto r = s.revoke_api_key(pos[2], now); !r.ok()) return report("admin", r.error());
  std::fprintf(stderr, "ondo admin: key '%s' revoked\n", pos[2].c_str());
  return 0;
}

}  // namespace

int cmd_admin(int argc, char** argv) { return admin(argc, argv); }

}  // namespace ondo::cli
