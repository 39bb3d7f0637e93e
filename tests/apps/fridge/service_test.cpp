// The fridge app's domain (apps/fridge/service.h) over a real store, on both engines: households
// and roles, isolation between households, items and their validation, consume / discard /
// move, history and waste statistics, expiry and alerts, recipes with photos.
#include "ondo/apps/fridge/service.h"

#include <gtest/gtest.h>

#include "ondo/apps/fridge/alerts.h"
#include "ondo/apps/fridge/catalog.h"
#include "store/engine_test.h"

namespace ondo::apps::fridge {
namespace {

class FridgeServiceTest : public store::testing_support::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || !store_) return;
    for (const char* id : {"kalice", "kbob", "keve"}) {
      store::ApiKey k;
      k.id = id;
      k.hash = std::string(64, '0');
      k.created_at = 1;
      ASSERT_TRUE(store_->insert_api_key(k).ok());
    }
    svc_ = std::make_unique<FridgeService>(*store_, ServiceOptions{});
  }
  void TearDown() override {
    svc_.reset();
    EngineTest::TearDown();
  }

  json ok(Result<json> r) {
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : json();
  }
  Error fails(Result<json> r, ErrorCode code) {
    EXPECT_FALSE(r.ok());
    if (r.ok()) return make_error(ErrorCode::Internal, "it did not fail");
    EXPECT_EQ(r.error().code, code) << r.error().message;
    return r.error();
  }
  static std::string in_days(int64_t d) { return format_date(today_days() + d); }

  std::unique_ptr<FridgeService> svc_;
};

TEST_P(FridgeServiceTest, HouseholdsMembersAndIsolation) {
  const json h = ok(svc_->create_household("kalice", {{"name", "Home"}}));
  const std::string hid = h["id"];
  EXPECT_EQ(h["members"].size(), 1u);
  EXPECT_EQ(h["members"][0]["role"], "owner");
  ok(svc_->add_member("kalice", hid, {{"key_id", "kbob"}, {"role", "member"}}));
  EXPECT_EQ(ok(svc_->get_household("kbob", hid))["members"].size(), 2u);
  fails(svc_->add_member("kbob", hid, {{"key_id", "keve"}}), ErrorCode::PermissionDenied);  // members do not invite
  fails(svc_->add_member("kalice", hid, {{"key_id", "knobody"}}), ErrorCode::NotFound);
  fails(svc_->add_member("kalice", hid, {{"key_id", "keve"}, {"role", "boss"}}), ErrorCode::InvalidArgument);

  const json fr = ok(svc_->create_fridge("kbob", hid, {{"name", "Kitchen"}, {"kind", "fridge"}}));
  const json item = ok(svc_->add_items("kbob", fr["id"], {{"name", "Eggs"}, {"quantity", 10}, {"unit", "piece"}}));
  const std::string iid = item["id"];

  // keve is in no household: every read and write of hid's data is "not found".
  fails(svc_->get_household("keve", hid), ErrorCode::NotFound);
  fails(svc_->list_fridges("keve", hid), ErrorCode::NotFound);
  fails(svc_->get_fridge("keve", fr["id"]), ErrorCode::NotFound);
  fails(svc_->add_items("keve", fr["id"], {{"name", "x"}}), ErrorCode::NotFound);
  fails(svc_->list_items("keve", fr["id"]), ErrorCode::NotFound);
  fails(svc_->get_item("keve", iid), ErrorCode::NotFound);
  fails(svc_->consume("keve", iid, {{"quantity", 1}}), ErrorCode::NotFound);
  fails(svc_->discard("keve", iid, json::object()), ErrorCode::NotFound);
  fails(svc_->history("keve", hid), ErrorCode::NotFound);
  fails(svc_->waste_stats("keve", hid), ErrorCode::NotFound);
  fails(svc_->expiring("keve", hid, 3, today_days()), ErrorCode::NotFound);
  fails(svc_->set_webhook("keve", hid, {{"url", "http://x/"}, {"secret", "s"}}), ErrorCode::NotFound);
  EXPECT_TRUE(ok(svc_->list_households("keve"))["data"].empty());

  // keve's own household cannot take hid's item either.
  const json other = ok(svc_->create_household("keve", {{"name", "Eve's"}}));
  const json efr = ok(svc_->create_fridge("keve", other["id"], {{"name", "Mine"}}));
  fails(svc_->move("keve", iid, {{"fridge_id", efr["id"]}}), ErrorCode::NotFound);
  fails(svc_->move("kalice", iid, {{"fridge_id", efr["id"]}}), ErrorCode::NotFound);

  ASSERT_TRUE(svc_->remove_member("kalice", hid, "kbob").ok());
  fails(svc_->get_item("kbob", iid), ErrorCode::NotFound);
  EXPECT_FALSE(svc_->remove_member("kalice", hid, "kalice").ok());  // the last owner stays
}

TEST_P(FridgeServiceTest, ItemsValidateAndEstimateUseBy) {
  const std::string hid = ok(svc_->create_household("kalice", {{"name", "Home"}}))["id"];
  const json fr = ok(svc_->create_fridge("kalice", hid, {{"name", "Freezer"}, {"kind", "freezer"}}));
  Error e = fails(svc_->add_items("kalice", fr["id"], {{"name", "Milk"}, {"unit", "gallonz"}}), ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("unit: unknown unit 'gallonz'"), std::string::npos) << e.message;
  e = fails(svc_->add_items("kalice", fr["id"], {{"name", "Milk"}, {"bought", "2026-05-10"}, {"use_by", "2026-05-01"}}),
            ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("use_by: is before the bought date"), std::string::npos) << e.message;
  e = fails(svc_->add_items("kalice", fr["id"], {{"name", "Milk"}, {"use_by", "2026-02-30"}}), ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("use_by: no such day"), std::string::npos) << e.message;
  // A list is all or nothing; its errors name the entry.
  e = fails(svc_->add_items("kalice", fr["id"], json::array({{{"name", "a"}}, {{"name", "b"}, {"quantity", -1}}})),
            ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("[1].quantity"), std::string::npos) << e.message;
  EXPECT_TRUE(ok(svc_->list_items("kalice", fr["id"]))["data"].empty());

  const json added = ok(svc_->add_items(
      "kalice", fr["id"],
      json::array({{{"name", "Pork Belly"}, {"bought", "2026-01-01"}}, {{"name", "Scallions"}, {"use_by", in_days(1)}}})));
  ASSERT_EQ(added["data"].size(), 2u);
  const json pork = added["data"][0];
  EXPECT_EQ(pork["ingredient"], "pork belly");
  EXPECT_EQ(pork["place"], "freezer");  // the fridge's kind
  EXPECT_EQ(pork["estimated"], true);
  EXPECT_EQ(pork["use_by"], format_date(*parse_date("2026-01-01", "") + shelf_life_days("pork belly", "freezer")));
  EXPECT_EQ(added["data"][1]["ingredient"], "green onion");
  EXPECT_EQ(added["data"][1]["estimated"], false);
}

TEST_P(FridgeServiceTest, ConsumeDiscardMoveHistoryAndWaste) {
  const std::string hid = ok(svc_->create_household("kalice", {{"name", "Home"}}))["id"];
  const json fr = ok(svc_->create_fridge("kalice", hid, {{"name", "Fridge"}}));
  const json pantry = ok(svc_->create_fridge("kalice", hid, {{"name", "Shelf"}, {"kind", "pantry"}}));
  const std::string milk = ok(svc_->add_items("kalice", fr["id"], {{"name", "Milk"}, {"quantity", 1000}, {"unit", "ml"}}))["id"];
  const std::string bread = ok(svc_->add_items("kalice", fr["id"], {{"name", "Bread"}, {"quantity", 1}, {"unit", "pack"}}))["id"];

  json r = ok(svc_->consume("kalice", milk, {{"quantity", 250}}));
  EXPECT_EQ(r["item"]["quantity"], 750.0);
  fails(svc_->consume("kalice", milk, {{"quantity", 800}}), ErrorCode::InvalidArgument);  // more than is left
  r = ok(svc_->discard("kalice", milk, json::object()));                                    // the rest
  EXPECT_EQ(r["item"]["removed"], true);
  fails(svc_->get_item("kalice", milk), ErrorCode::NotFound);

  const json moved = ok(svc_->move("kalice", bread, {{"fridge_id", pantry["id"]}}));
  EXPECT_EQ(moved["fridge_id"], pantry["id"]);
  EXPECT_EQ(moved["place"], "pantry");
  EXPECT_EQ(ok(svc_->list_items("kalice", pantry["id"]))["data"].size(), 1u);

  const json hist = ok(svc_->history("kalice", hid));
  ASSERT_EQ(hist["data"].size(), 2u);
  EXPECT_EQ(hist["data"][0]["action"], "eaten");
  EXPECT_EQ(hist["data"][1]["action"], "discarded");
  const json stats = ok(svc_->waste_stats("kalice", hid));
  ASSERT_EQ(stats["data"].size(), 1u);
  EXPECT_EQ(stats["data"][0]["month"], format_date(today_days()).substr(0, 7));
  EXPECT_NEAR(stats["data"][0]["waste_share"].get<double>(), 0.75, 1e-9);  // 750 of 1000 ml thrown away

  reopen();  // a restart keeps everything
  svc_ = std::make_unique<FridgeService>(*store_, ServiceOptions{});
  EXPECT_EQ(ok(svc_->history("kalice", hid))["data"].size(), 2u);
  EXPECT_EQ(ok(svc_->get_item("kalice", bread))["place"], "pantry");
}

TEST_P(FridgeServiceTest, ExpiringDigestAndAlerts) {
  const std::string hid = ok(svc_->create_household("kalice", {{"name", "Home"}}))["id"];
  const json fr = ok(svc_->create_fridge("kalice", hid, {{"name", "Fridge"}}));
  ok(svc_->add_items("kalice", fr["id"],
                     json::array({{{"name", "Tofu"}, {"use_by", in_days(1)}},
                                  {{"name", "Rice"}, {"use_by", in_days(100)}},
                                  {{"name", "Old yogurt"}, {"bought", in_days(-10)}, {"use_by", in_days(-1)}}})));
  const json soon = ok(svc_->expiring("kalice", hid, 3, today_days()));
  ASSERT_EQ(soon["data"].size(), 2u);
  EXPECT_EQ(soon["data"][0]["name"], "Old yogurt");  // soonest first, expired included
  EXPECT_EQ(soon["data"][0]["days_left"], -1);
  EXPECT_EQ(soon["data"][1]["name"], "Tofu");
  fails(svc_->expiring("kalice", hid, -1, today_days()), ErrorCode::InvalidArgument);
  const json d = ok(svc_->digest("kalice", hid, today_days()));
  EXPECT_EQ(d["expired"].size(), 1u);
  EXPECT_EQ(d["expiring"].size(), 1u);

  auto alerts = svc_->due_expiry_alerts(hid, today_days());
  ASSERT_TRUE(alerts.ok()) << alerts.error().message;
  ASSERT_EQ(alerts->size(), 2u);
  const json& tofu = (*alerts)[0]["item"]["name"] == "Tofu" ? (*alerts)[0] : (*alerts)[1];
  EXPECT_EQ(tofu["idempotency_key"], "expiry:" + tofu["item"]["id"].get<std::string>() + ":" + in_days(1));
  fails(svc_->set_webhook("kalice", hid, {{"url", "ftp://x"}, {"secret", "s"}}), ErrorCode::InvalidArgument);
  ok(svc_->set_webhook("kalice", hid, {{"url", "http://127.0.0.1:1/hook"}, {"secret", "s3cret"}}));
  EXPECT_FALSE(ok(svc_->get_household("kalice", hid))["webhook"].contains("secret"));  // write-only
  auto with = svc_->households_with_webhook();
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(*with, std::vector<std::string>{hid});
}

TEST_P(FridgeServiceTest, RecipesAreSharedByVisibilityAndPhotosMustBeImages) {
  const std::string h1 = ok(svc_->create_household("kalice", {{"name", "A"}}))["id"];
  const std::string h2 = ok(svc_->create_household("keve", {{"name", "B"}}))["id"];
  const json base = {{"name", "Egg Toast"}, {"ingredients", {{{"name", "egg"}, {"amount", "2"}}, "bread"}},
                     {"steps", {"Fry the egg.", "Toast the bread."}}, {"tags", {"breakfast"}}};
  json mine = base;
  mine["household_id"] = h1;
  const json r1 = ok(svc_->create_recipe("kalice", mine));
  json pub = base;
  pub["household_id"] = h1;
  pub["visibility"] = "public";
  pub["name"] = "Public Toast";
  pub["photo"] = {{"data", "iVBORw0KGgoAAAANSUhEUg=="}};  // a PNG signature
  const json r2 = ok(svc_->create_recipe("kalice", pub));
  EXPECT_EQ(r2["has_photo"], true);
  fails(svc_->get_recipe("keve", r1["id"]), ErrorCode::NotFound);  // household recipe
  EXPECT_EQ(ok(svc_->get_recipe("keve", r2["id"]))["name"], "Public Toast");
  auto photo = svc_->recipe_photo("keve", r2["id"]);
  ASSERT_TRUE(photo.ok()) << photo.error().message;
  EXPECT_EQ(photo->first, "image/png");
  EXPECT_EQ(ok(svc_->list_recipes("keve", ""))["data"].size(), 1u);
  EXPECT_EQ(ok(svc_->list_recipes("kalice", h1))["data"].size(), 2u);
  json other = base;
  other["household_id"] = h2;
  fails(svc_->create_recipe("kalice", other), ErrorCode::NotFound);  // not her household

  json text_photo = mine;
  text_photo["photo"] = {{"data", "aGVsbG8gd29ybGQ="}};  // "hello world"
  Error e = fails(svc_->create_recipe("kalice", text_photo), ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("photo.data: not an image"), std::string::npos) << e.message;
  json big = mine;
  big["photo"] = {{"data", std::string(8 << 20, 'A')}};
  fails(svc_->create_recipe("kalice", big), ErrorCode::TooLarge);
  json no_steps = mine;
  no_steps.erase("steps");
  fails(svc_->create_recipe("kalice", no_steps), ErrorCode::InvalidArgument);
}

TEST_P(FridgeServiceTest, ChosenDetectionsBecomeItemsInOneCall) {
  const std::string hid = ok(svc_->create_household("kalice", {{"name", "Home"}}))["id"];
  const std::string fid = ok(svc_->create_fridge("kalice", hid, {{"name", "Kitchen"}, {"kind", "fridge"}}))["id"];
  const std::vector<std::string> labels = {"tomato", "spring_onion", "egg"};
  const json box = {{"x", 10}, {"y", 20}, {"width", 30}, {"height", 40}};
  const json added = ok(svc_->add_detected(
      "kalice", fid,
      {{"detections", {{{"label", "spring_onion"}, {"score", 0.8}, {"box", box}},
                       {{"label", "egg"}, {"quantity", 6}, {"use_by", in_days(9)}}}},
       {"bought", in_days(-1)}},
      labels));
  ASSERT_EQ(added["data"].size(), 2u);
  const json onion = added["data"][0];
  EXPECT_EQ(onion["name"], "spring onion");    // underscores read as spaces
  EXPECT_EQ(onion["ingredient"], "green onion");  // normalised
  EXPECT_EQ(onion["estimated"], true);
  EXPECT_EQ(onion["use_by"], in_days(-1 + shelf_life_days("green onion", "fridge")));
  EXPECT_EQ(onion["detected"], json({{"source", "photo"}, {"score", 0.8}, {"box", box}}));
  EXPECT_EQ(added["data"][1]["quantity"], 6);
  EXPECT_EQ(added["data"][1]["estimated"], false);
  EXPECT_EQ(ok(svc_->list_items("kalice", fid))["data"].size(), 2u);

  // Bad entries name their index, and nothing of the call is added.
  auto e = fails(svc_->add_detected("kalice", fid, {{"detections", {{{"label", "egg"}}, {{"label", "gallon"}}}}}, labels),
                 ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("detections[1].label: 'gallon' is not a label of the detector (its labels: tomato, spring_onion, egg)"),
            std::string::npos) << e.message;
  e = fails(svc_->add_detected("kalice", fid, {{"detections", {{{"label", 7}}}}}, labels), ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("detections[0].label: required, a string"), std::string::npos) << e.message;
  e = fails(svc_->add_detected("kalice", fid, {{"detections", {{{"label", "egg"}, {"score", 3}}}}}, labels),
            ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("detections[0].score"), std::string::npos) << e.message;
  e = fails(svc_->add_detected("kalice", fid, {{"detections", {{{"label", "egg"}, {"box", {{"x", 1}}}}}}}, labels),
            ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("detections[0].box.y"), std::string::npos) << e.message;
  e = fails(svc_->add_detected("kalice", fid, {{"detections", json::array()}}, labels), ErrorCode::InvalidArgument);
  EXPECT_NE(e.message.find("detections: an empty list"), std::string::npos) << e.message;
  e = fails(svc_->add_detected("kalice", fid, json::array(), labels), ErrorCode::InvalidArgument);
  EXPECT_EQ(ok(svc_->list_items("kalice", fid))["data"].size(), 2u);
  // Without the detector's labels (none known) any label is taken; another household's fridge is not found.
  EXPECT_EQ(ok(svc_->add_detected("kalice", fid, {{"detections", {{{"label", "kohlrabi"}}}}}, {}))["data"][0]["ingredient"],
            "kohlrabi");
  fails(svc_->add_detected("keve", fid, {{"detections", {{{"label", "egg"}}}}}, labels), ErrorCode::NotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, FridgeServiceTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST(FridgeAlerts, HmacSha256MatchesRfc4231) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 6: a key longer than the block is hashed first.
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(FridgeAlerts, RetryDelayDoublesUpToAnHour) {
  EXPECT_EQ(retry_delay_ms(1), 1000);
  EXPECT_EQ(retry_delay_ms(2), 2000);
  EXPECT_EQ(retry_delay_ms(5), 16000);
  EXPECT_EQ(retry_delay_ms(40), 3600 * 1000);
}

TEST(FridgeCatalog, DatesUnitsAndNames) {
  EXPECT_EQ(format_date(*parse_date("2024-02-29", "d")), "2024-02-29");
  EXPECT_FALSE(parse_date("2023-02-29", "d").ok());
  EXPECT_FALSE(parse_date("2023-1-01", "d").ok());
  EXPECT_EQ(*parse_date("1970-01-02", "d"), 1);
  EXPECT_TRUE(is_known_unit("kg"));
  EXPECT_FALSE(is_known_unit("parsec"));
  EXPECT_EQ(normalise_ingredient("  Spring   Onion "), "green onion");
  EXPECT_TRUE(has_hangul("삼겹살"));
  EXPECT_FALSE(has_hangul("pork belly"));
  EXPECT_GT(shelf_life_days("egg", "freezer"), shelf_life_days("egg", "fridge"));
}

}  // namespace
}  // namespace ondo::apps::fridge
