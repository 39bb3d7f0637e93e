// The fridge app's recipe collection and recommendation (issue 20.3/20.4). Layer: apps/fridge.
//
// RecipeIndex keeps every recipe (the corpus and users') as one file and one chunk of the
// store's vector store "vs_fridge_recipes" (the collections of issue 16: /v1/vector_stores
// shows it), searched through rag::CollectionIndexes (hybrid: dense + BM25). Without an
// embedding model it searches the store's full-text index alone and compares names by
// character bigrams instead of vectors.
//
// recommend() implements the case's contract: {"ingredients": [...], "except_recipe": [...]}
// in, {"recipe_name", "recipe_ingredients", "recipes"} out under the JSON schema, with the
// household's items ranked by days to expiry as the default ingredients, the retrieved recipes
// as grounding (returned with ids), and the excluded recipes and every recipe whose name is
// more similar to one than the threshold kept out of the candidates AND out of the answer
// (a model answer naming one is retried once, then replaced by the best grounded recipe).
// Thread contract: every method is safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "ondo/apps/fridge/service.h"
#include "ondo/rag/collection_search.h"

namespace ondo::apps::fridge {

// The normalised embedding of a text (the server's embedding model).
using EmbedFn = std::function<Result<std::vector<float>>(const std::string& text)>;
// One constrained chat generation: the model's reply text. `seed` 0: any.
struct GenerateCall {
  std::string model;
  json messages;
  json schema;
  uint64_t seed = 0;
  double temperature = 0.7;
  int max_tokens = 0;  // 0: what the context leaves
  bool constrained = true;  // response_format json_schema (structured output); false: free text
};
using GenerateFn = std::function<Result<std::string>(const GenerateCall& call)>;

inline constexpr const char* kRecipeVectorStore = "vs_fridge_recipes";

// The schema of the answer (models/recipe.schema.json).
const json& recipe_schema();

class RecipeIndex {
 public:
  // `embed` null / `embedding_model` empty: lexical search and bigram name similarity.
  RecipeIndex(store::Store& store, rag::CollectionIndexes& indexes, EmbedFn embed, std::string embedding_model);

  // Creates the vector store when absent. Errors: a vector store with that id built from another
  // embedding model (InvalidArgument naming both).
  Status open();
  // Indexes a recipe (its body as FridgeService keeps it) unless it is indexed already.
  Status add(const json& recipe);
  struct Hit {
    std::string recipe_id;
    double score = 0;
  };
  Result<std::vector<Hit>> search(const std::string& text, size_t k);
  // Similarity of two recipe names in [0, 1] (cosine of their embeddings, or bigram Jaccard).
  Result<double> name_similarity(const std::string& a, const std::string& b);
  size_t indexed() const;
  bool dense() const { return static_cast<bool>(embed_) && !model_.empty(); }

 private:
  Result<std::vector<float>> name_vector(const std::string& name);

  store::Store& store_;
  rag::CollectionIndexes& indexes_;
  EmbedFn embed_;
  std::string model_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<float>> name_vectors_;  // guarded by mu_
  size_t indexed_ = 0;                                      // guarded by mu_
};

struct RecommendOptions {
  std::string default_model;  // the chat model used when the body names none
  double default_threshold = 0.9;
};

// POST …/recommend. Errors: InvalidArgument naming the field; NotFound for a household the
// caller is not in; Unavailable when neither the model nor the grounding gives a recipe.
Result<json> recommend(FridgeService& service, RecipeIndex& index, const GenerateFn& generate,
                       const RecommendOptions& options, const std::string& caller, const json& body);

}  // namespace ondo::apps::fridge
