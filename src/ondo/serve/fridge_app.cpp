// The fridge app's server side (see fridge_app.h). Layer: serve.
#include "ondo/serve/fridge_app.h"

#include <httplib.h>

#include <chrono>
#include <map>

#include "ondo/apps/fridge/catalog.h"
#include "ondo/apps/fridge/corpus.h"
#include "ondo/serve/collections.h"
#include "ondo/serve/routes/routes.h"
#include "ondo/serve/server_state.h"

namespace ondo::serve {
namespace {

using apps::fridge::json;
constexpr int kScanEveryS = 60;
constexpr int kDeliverBatch = 50;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json corpus_json(const apps::fridge::CorpusRecipe& c) {
  json ings = json::array();
  for (const std::string& i : c.ingredients) {
    ings.push_back({{"name", i}, {"ingredient", apps::fridge::normalise_ingredient(i)}, {"amount", ""}});
  }
  return json{{"id", c.id},          {"name", c.name},       {"ingredients", ings},   {"steps", c.steps},
              {"tags", json::array()}, {"visibility", "public"}, {"household_id", ""}, {"author", "corpus"},
              {"source", "corpus"},  {"language", c.language}, {"has_photo", false}};
}

// POSTs `body` to `url` signed with `secret`; "" when a 2xx came back, else why not.
std::string post_webhook(const std::string& url, const std::string& secret, const std::string& key,
                         const std::string& body) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "bad url";
  const size_t path_at = url.find('/', scheme_end + 3);
  const std::string origin = path_at == std::string::npos ? url : url.substr(0, path_at);
  const std::string path = path_at == std::string::npos ? "/" : url.substr(path_at);
  httplib::Client client(origin);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  client.set_write_timeout(10);
  const httplib::Headers headers = {{"X-Ondo-Signature", "sha256=" + apps::fridge::hmac_sha256_hex(secret, body)},
                                    {"X-Ondo-Idempotency-Key", key},
                                    {"User-Agent", "ondo-fridge-webhook"}};
  auto r = client.Post(path, headers, body, "application/json");
  if (!r) return "no answer (" + httplib::to_string(r.error()) + ")";
  if (r->status < 200 || r->status > 299) return "status " + std::to_string(r->status);
  return "";
}

}  // namespace

FridgeApp::FridgeApp(ServerState& state, store::Store& store, Collections& collections)
    : state_(state), store_(store), collections_(collections), service_(store, apps::fridge::ServiceOptions{}) {
  service_.on_items_changed([this](const std::string& household) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      changed_.insert(household);
    }
    cv_.notify_all();
  });
}

FridgeApp::~FridgeApp() { stop(); }

void FridgeApp::start() {
  if (started_.exchange(true)) return;
  worker_ = std::thread([this] { run(); });
}

void FridgeApp::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  hub_.close_all();
  if (worker_.joinable()) worker_.join();
}

std::string FridgeApp::chat_model() const {
  if (auto models = state_.models()) {
    for (const ServedModel& m : *models) {
      if (m.kind == ModelKind::Generator) return m.alias;
    }
  }
  return "";
}

json FridgeApp::status() const {
  json s = {{"ready", ready_.load()}, {"chat_model", chat_model()}};
  if (ready_.load()) {
    s["recipes_indexed"] = index_ ? index_->indexed() : 0;
    s["retrieval"] = index_ && index_->dense() ? "hybrid" : "lexical";
    s["embedding_model"] = embedding_model_;
    if (!index_error_.empty()) s["error"] = index_error_;
  }
  return s;
}

// Opens the recipe collection with the first served embedding model (none: lexical only) and
// indexes the corpus and every user recipe not indexed yet (a restart resumes where it was).
void FridgeApp::prepare_index() {
  auto model = collections_.default_embedding_model();
  apps::fridge::EmbedFn embed;
  if (model.ok()) {
    embedding_model_ = *model;
    embed = [this](const std::string& text) { return collections_.embed_query(embedding_model_, text); };
  }
  auto index = std::make_unique<apps::fridge::RecipeIndex>(store_, collections_.indexes(), embed,
                                                           model.ok() ? *model : std::string());
  Status st = index->open();
  for (const auto& c : apps::fridge::corpus_recipes()) {
    if (!st.ok()) break;
    const json r = corpus_json(c);
    auto added = service_.seed_recipe(r);
    if (!added.ok()) st = added.error();
    else st = index->add(r);
  }
  if (st.ok()) {
    auto all = store_.list_fridge_records("recipe", "", "");
    if (!all.ok()) st = all.error();
    for (size_t i = 0; st.ok() && i < all->size(); ++i) {
      st = index->add(json::parse((*all)[i].body, nullptr, false));
    }
  }
  if (!st.ok()) {
    index_error_ = st.error().message;
    std::fprintf(stderr, "ondo serve: fridge app: recipe collection: %s\n", index_error_.c_str());
  }
  index_ = std::move(index);
  ready_.store(true);
}

void FridgeApp::recipe_added(const json& recipe) {
  if (!ready_.load()) return;  // the worker indexes every recipe when it opens the collection
  Status st = index_->add(recipe);
  if (!st.ok()) std::fprintf(stderr, "ondo serve: fridge app: indexing recipe: %s\n", st.error().message.c_str());
}

Result<json> FridgeApp::recommend(const std::string& caller, const json& body) {
  if (!ready_.load()) return make_error(ErrorCode::Unavailable, "fridge app: the recipe collection is still loading");
  apps::fridge::RecommendOptions o;
  o.default_model = chat_model();
  return apps::fridge::recommend(service_, *index_, [this](const apps::fridge::GenerateCall& c) { return generate(c); }, o,
                                 caller, body);
}

// One chat completion through the server's own path (prepare_chat, respond_generation) into a
// response object that is never sent; the reply's content is the answer.
Result<std::string> FridgeApp::generate(const apps::fridge::GenerateCall& call) {
  json body = {{"model", call.model},
               {"messages", call.messages},
               {"temperature", call.temperature}};
  if (call.constrained) {
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema", {{"name", "recipe"}, {"strict", true}, {"schema", call.schema}}}};
  }
  if (call.seed != 0) body["seed"] = call.seed;
  if (call.max_tokens > 0) body["max_tokens"] = call.max_tokens;
  ONDO_ASSIGN_OR_RETURN(ChatRequest chat, parse_chat_request(body.dump()));
  ONDO_ASSIGN_OR_RETURN(PreparedRequest p, prepare_chat(state_, std::move(chat)));
  httplib::Response res;
  respond_generation(state_, std::move(p), res);
  const json out = json::parse(res.body, nullptr, false);
  if (res.status != 200) {
    const std::string msg = out.is_object() && out.contains("error") ? out["error"].value("message", res.body) : res.body;
    return make_error(ErrorCode::Unavailable, "model '" + call.model + "': " + msg);
  }
  try {
    return out.at("choices").at(0).at("message").at("content").get<std::string>();
  } catch (const json::exception&) {
    return make_error(ErrorCode::Internal, "model '" + call.model + "': a reply without text");
  }
}

void FridgeApp::scan(const std::string& household, int64_t today) {
  auto h = service_.household_record(household);
  if (!h.ok()) return;
  const json hook = (*h)["webhook"];
  const std::string url = hook.is_object() ? hook.value("url", "") : "";
  auto alerts = service_.due_expiry_alerts(household, today);
  if (!alerts.ok()) return;
  std::vector<json> events = std::move(*alerts);
  if (!events.empty()) {  // the daily digest: once a day per household with something to say
    json items = json::array();
    for (const json& e : events) items.push_back(e["item"]);
    events.push_back({{"type", "digest"}, {"idempotency_key", "digest:" + household + ":" + apps::fridge::format_date(today)},
                      {"household_id", household}, {"date", apps::fridge::format_date(today)}, {"items", items}});
  }
  for (const json& e : events) {
    store::FridgeAlert a;
    a.key = e["idempotency_key"];
    a.household = household;
    a.url = url;  // "" : SSE only; the key still keeps it from being raised twice
    a.body = e.dump();
    a.created_ms = now_ms();
    a.next_attempt_ms = a.created_ms;
    auto added = store_.enqueue_fridge_alert(a);
    if (added.ok() && *added) hub_.publish(household, a.body);
  }
}

void FridgeApp::deliver_due() {
  auto due = store_.due_fridge_alerts(now_ms(), kDeliverBatch);
  if (!due.ok()) return;
  for (const store::FridgeAlert& a : *due) {
    std::string error = "no webhook";
    if (!a.url.empty()) {
      auto h = service_.household_record(a.household);
      const std::string secret = h.ok() && (*h)["webhook"].is_object() ? (*h)["webhook"].value("secret", "") : "";
      error = post_webhook(a.url, secret, a.key, a.body);
    }
    const int32_t attempts = a.attempts + 1;
    const bool done = error.empty() || a.url.empty();
    (void)store_.update_fridge_alert(a.key, attempts, done ? a.next_attempt_ms : now_ms() + apps::fridge::retry_delay_ms(attempts),
                                     done ? std::optional<int64_t>(now_ms()) : std::nullopt, a.url.empty() ? "" : error);
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
  }
}

void FridgeApp::run() {
  prepare_index();
  auto last_full = std::chrono::steady_clock::time_point{};
  for (;;) {
    std::set<std::string> changed;
    bool full = false;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_ || !changed_.empty(); });
      if (stop_) return;
      changed.swap(changed_);
      full = std::chrono::steady_clock::now() - last_full > std::chrono::seconds(kScanEveryS);
    }
    const int64_t today = apps::fridge::today_days();
    if (full) {
      last_full = std::chrono::steady_clock::now();
      auto all = store_.list_fridge_records("household", "", "");
      if (all.ok()) {
        for (const auto& h : *all) changed.insert(h.id);
      }
    }
    for (const std::string& h : changed) scan(h, today);
    deliver_due();
  }
}

}  // namespace ondo::serve
