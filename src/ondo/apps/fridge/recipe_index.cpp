// RecipeIndex (see recommend.h): recipes as files and chunks of the store's collections,
// searched through rag::CollectionIndexes. Layer: apps/fridge.
#include <algorithm>
#include <chrono>
#include <set>

#include "ondo/apps/fridge/catalog.h"
#include "ondo/apps/fridge/recommend.h"

namespace ondo::apps::fridge {
namespace {

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The text a recipe is searched by: its name, ingredients and steps.
std::string recipe_text(const json& r) {
  std::string t = r.value("name", "") + "\n";
  for (const json& i : r.value("ingredients", json::array())) {
    t += (i.is_object() ? i.value("name", "") : i.is_string() ? i.get<std::string>() : std::string()) + ", ";
  }
  t += "\n";
  for (const json& s : r.value("steps", json::array())) {
    if (s.is_string()) t += s.get<std::string>() + " ";
  }
  return t;
}

// Character bigrams of the normalised name (UTF-8 code points; spaces dropped).
std::set<std::string> bigrams(const std::string& name) {
  const std::string n = normalise_ingredient(name);
  std::vector<std::string> cps;
  for (size_t i = 0; i < n.size();) {
    size_t len = 1;
    const auto b = static_cast<unsigned char>(n[i]);
    if (b >= 0xF0) len = 4;
    else if (b >= 0xE0) len = 3;
    else if (b >= 0xC0) len = 2;
    if (n[i] != ' ' && n[i] != '-') cps.push_back(n.substr(i, len));
    i += len;
  }
  std::set<std::string> out;
  for (size_t i = 0; i + 1 < cps.size(); ++i) out.insert(cps[i] + cps[i + 1]);
  if (cps.size() == 1) out.insert(cps[0]);
  return out;
}

}  // namespace

RecipeIndex::RecipeIndex(store::Store& store, rag::CollectionIndexes& indexes, EmbedFn embed, std::string model)
    : store_(store), indexes_(indexes), embed_(std::move(embed)), model_(std::move(model)) {}

Status RecipeIndex::open() {
  ONDO_ASSIGN_OR_RETURN(auto vs, store_.find_vector_store(kRecipeVectorStore));
  if (vs) {
    if (vs->embedding_model != model_) {
      return make_error(ErrorCode::InvalidArgument,
                        std::string(kRecipeVectorStore) + ": the recipe collection was built with embedding model '" +
                            vs->embedding_model + "', this server has '" + model_ +
                            "' (serve the same model, or delete the vector store to rebuild it)");
    }
  } else {
    store::VectorStoreRecord v;
    v.id = kRecipeVectorStore;
    v.name = "fridge recipes";
    v.created_at = now_s();
    v.embedding_model = model_;
    v.chunking_type = "static";
    v.metadata = R"({"app":"fridge"})";
    ONDO_TRY(store_.insert_vector_store(v));
  }
  ONDO_ASSIGN_OR_RETURN(auto files, store_.list_vector_store_files(kRecipeVectorStore, store::kFileCompleted));
  std::lock_guard<std::mutex> lock(mu_);
  indexed_ = files.size();
  return ok_status();
}

size_t RecipeIndex::indexed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return indexed_;
}

Status RecipeIndex::add(const json& recipe) {
  const std::string rid = recipe.value("id", "");
  const std::string fid = "file-recipe-" + rid;
  ONDO_ASSIGN_OR_RETURN(auto attached, store_.find_vector_store_file(kRecipeVectorStore, fid));
  if (attached && attached->status == store::kFileCompleted) return ok_status();
  const std::string text = recipe_text(recipe);
  ONDO_ASSIGN_OR_RETURN(auto file, store_.find_file(fid));
  if (!file) {
    ONDO_TRY(store_.insert_file(store::FileRecord{fid, rid + ".txt", "fridge-recipe", int64_t(text.size()), now_s()}, text));
  }
  const json attrs = {{"recipe_id", rid}};
  if (!attached) {
    store::VectorStoreFileRecord f;
    f.vector_store_id = kRecipeVectorStore;
    f.file_id = fid;
    f.created_at = now_s();
    f.attributes = attrs.dump();
    f.chunking_type = "static";
    ONDO_TRY(store_.insert_vector_store_file(f));
  } else if (attached->status != store::kFileInProgress) {
    return ok_status();  // failed earlier: left for an operator to look at
  }
  store::ChunkRecord c;
  c.vector_store_id = kRecipeVectorStore;
  c.file_id = fid;
  c.text = text;
  c.attributes = attrs.dump();
  if (dense()) {
    ONDO_ASSIGN_OR_RETURN(c.vector, embed_(text));
  } else {
    c.vector = {1.0f};  // no embedding model: a one-value placeholder (chunks need a vector); BM25 searches
  }
  ONDO_ASSIGN_OR_RETURN(auto chunks, store_.complete_vector_store_file(kRecipeVectorStore, fid, {c}));
  if (dense()) indexes_.add(kRecipeVectorStore, chunks);
  std::lock_guard<std::mutex> lock(mu_);
  ++indexed_;
  return ok_status();
}

Result<std::vector<RecipeIndex::Hit>> RecipeIndex::search(const std::string& text, size_t k) {
  std::vector<Hit> out;
  auto hit_of = [](const store::ChunkRecord& c, double score) {
    const json a = json::parse(c.attributes, nullptr, false);
    return Hit{a.is_object() ? a.value("recipe_id", "") : std::string(), score};
  };
  if (dense()) {
    ONDO_ASSIGN_OR_RETURN(auto vs, store_.find_vector_store(kRecipeVectorStore));
    if (!vs || vs->dimensions == 0) return out;
    rag::CollectionQuery q;
    q.text = text;
    ONDO_ASSIGN_OR_RETURN(q.vector, embed_(text));
    q.k = k;
    q.mode = rag::SearchMode::Hybrid;
    ONDO_ASSIGN_OR_RETURN(rag::CollectionResult r, indexes_.search(*vs, q));
    for (const auto& h : r.hits) out.push_back(hit_of(h.chunk, h.score));
    return out;
  }
  ONDO_ASSIGN_OR_RETURN(auto lex, store_.lexical_search(kRecipeVectorStore, text, int(k)));
  std::vector<int64_t> ids;
  for (const auto& h : lex) ids.push_back(h.chunk_id);
  ONDO_ASSIGN_OR_RETURN(auto chunks, store_.get_chunks(kRecipeVectorStore, ids, false));
  const double best = lex.empty() ? 1.0 : std::max(lex[0].score, 1e-9);
  for (size_t i = 0; i < chunks.size() && i < lex.size(); ++i) out.push_back(hit_of(chunks[i], lex[i].score / best));
  return out;
}

Result<std::vector<float>> RecipeIndex::name_vector(const std::string& name) {
  const std::string key = normalise_ingredient(name);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = name_vectors_.find(key);
    if (it != name_vectors_.end()) return it->second;
  }
  ONDO_ASSIGN_OR_RETURN(std::vector<float> v, embed_(key));
  std::lock_guard<std::mutex> lock(mu_);
  if (name_vectors_.size() > 10000) name_vectors_.clear();  // bounded; names are cheap to embed again
  name_vectors_[key] = v;
  return v;
}

Result<double> RecipeIndex::name_similarity(const std::string& a, const std::string& b) {
  if (normalise_ingredient(a) == normalise_ingredient(b)) return 1.0;
  if (dense()) {
    ONDO_ASSIGN_OR_RETURN(std::vector<float> va, name_vector(a));
    ONDO_ASSIGN_OR_RETURN(std::vector<float> vb, name_vector(b));
    if (va.size() != vb.size()) return make_error(ErrorCode::Internal, "name vectors of different widths");
    double dot = 0;
    for (size_t i = 0; i < va.size(); ++i) dot += double(va[i]) * vb[i];
    return std::clamp(dot, 0.0, 1.0);
  }
  const auto ga = bigrams(a), gb = bigrams(b);
  size_t common = 0;
  for (const auto& g : ga) common += gb.count(g);
  const size_t uni = ga.size() + gb.size() - common;
  return uni == 0 ? 0.0 : double(common) / double(uni);
}

}  // namespace ondo::apps::fridge
