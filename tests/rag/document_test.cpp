// Parsing uploaded files into headings and paragraphs: text, Markdown, HTML, PDF (a PDF the
// test writes itself, read back through poppler-cpp), format detection and bad bytes.
#include "ondo/rag/document.h"

#include <gtest/gtest.h>

#include "rag/pdf_writer.h"

namespace ondo::rag {
namespace {

Block para(std::string t) { return Block{false, 0, std::move(t)}; }
Block head(int level, std::string t) { return Block{true, level, std::move(t)}; }

TEST(DocumentTest, TextParagraphsSplitAtBlankLines) {
  auto d = parse_text("First line\n  continues here.\n\n\r\nSecond   paragraph.\r\n");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->blocks, (std::vector<Block>{para("First line continues here."), para("Second paragraph.")}));
}

TEST(DocumentTest, MarkdownHeadingsFencesAndSetext) {
  const char* md =
      "# Storage ##\n"
      "Keep milk at 4 C.\n"
      "\n"
      "Cooling\n"
      "-------\n"
      "The compressor runs.\n"
      "```\n"
      "# not a heading\n"
      "  code line\n"
      "```\n"
      "####### seven hashes is text\n"
      "###### Six\n";
  auto d = parse_markdown(md);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->blocks, (std::vector<Block>{head(1, "Storage"), para("Keep milk at 4 C."), head(2, "Cooling"),
                                           para("The compressor runs."), para("# not a heading\n  code line"),
                                           para("####### seven hashes is text"), head(6, "Six")}));
}

TEST(DocumentTest, HtmlStripsTagsKeepsHeadingsAndParagraphs) {
  const char* html =
      "<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>"
      "<script>var x = '<h1>no</h1>';</script><!-- a <p> comment -->"
      "<h1 class=\"x\">Fridge &amp; Freezer</h1><p>Keep <b>milk</b> cold&#33; 4&nbsp;&#xB0;C</p>"
      "<div>Second<br>line</div><H2>Tips</H2><ul><li>One</li><li>Two &unknown; &</li></ul></body></html>";
  auto d = parse_html(html);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->blocks, (std::vector<Block>{head(1, "Fridge & Freezer"), para("Keep milk cold! 4 \u00b0C"), para("Second"),
                                           para("line"), head(2, "Tips"), para("One"), para("Two &unknown; &")}));
  // Broken markup yields what it can, never an error.
  auto broken = parse_html("<p>open <b unclosed");
  ASSERT_TRUE(broken.ok());
  EXPECT_EQ(broken->blocks, (std::vector<Block>{para("open")}));
}

TEST(DocumentTest, PdfWrittenByTheTestReadsBack) {
  const std::string pdf = testing::make_pdf({{"Refrigerator manual", "Keep the door closed (always)."},
                                             {"Page two talks about defrosting."}});
  auto d = parse_pdf(pdf);
  ASSERT_TRUE(d.ok()) << d.error().message;
  std::string all;
  for (const Block& b : d->blocks) all += b.text + "|";
  EXPECT_NE(all.find("Refrigerator manual"), std::string::npos) << all;
  EXPECT_NE(all.find("Keep the door closed (always)."), std::string::npos) << all;
  EXPECT_NE(all.find("Page two talks about defrosting."), std::string::npos) << all;
  EXPECT_LT(all.find("manual"), all.find("defrosting")) << all;  // page order
  EXPECT_GE(d->blocks.size(), 2u);  // a page break ends a paragraph
}

TEST(DocumentTest, BadPdfsAreErrorsNamingTheProblem) {
  auto junk = parse_document("x.pdf", "%PDF-1.4\nthis is not a pdf at all");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().code, ErrorCode::InvalidFile);
  EXPECT_NE(junk.error().message.find("x.pdf: "), std::string::npos) << junk.error().message;
  auto empty = parse_document("blank.pdf", testing::make_pdf({{}}));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("no text"), std::string::npos) << empty.error().message;
}

TEST(DocumentTest, FormatDetection) {
  EXPECT_EQ(*detect_format("a.TXT", ""), Format::Text);
  EXPECT_EQ(*detect_format("notes.markdown", ""), Format::Markdown);
  EXPECT_EQ(*detect_format("p.HTM", ""), Format::Html);
  EXPECT_EQ(*detect_format("upload", "%PDF-1.7 ..."), Format::Pdf);
  EXPECT_EQ(*detect_format("page", "  <!DOCTYPE html><p>x"), Format::Html);
  EXPECT_EQ(*detect_format("README", "plain words"), Format::Text);
  auto bad = detect_format("photo.png", "\x89PNG");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::Unsupported);
  EXPECT_EQ(bad.error().message, "photo.png: unsupported file type '.png' (expected .txt, .md, .html or .pdf)");
}

TEST(DocumentTest, NonUtf8TextAndEmptyFilesAreRefused) {
  auto latin1 = parse_document("a.txt", "caf\xe9");
  ASSERT_FALSE(latin1.ok());
  EXPECT_EQ(latin1.error().code, ErrorCode::InvalidFile);
  EXPECT_EQ(latin1.error().message, "a.txt: the file is not UTF-8 text");
  auto empty = parse_document("e.md", " \n\n  ");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().message, "e.md: the file has no text");
  EXPECT_TRUE(is_utf8("caf\xc3\xa9 \xf0\x9f\x8d\x95"));
  EXPECT_FALSE(is_utf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(is_utf8("\xc0\xaf"));      // overlong
}

}  // namespace
}  // namespace ondo::rag
