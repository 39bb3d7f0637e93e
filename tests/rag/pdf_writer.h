// A tiny PDF writer for tests: pages of text lines in Helvetica (a standard font, so no font
// file is embedded), with a correct cross-reference table. Enough for poppler to read the text
// back; poppler itself only reads. Test support only.
#pragma once

#include <string>
#include <vector>

namespace ondo::testing {

// Each page is a list of lines (ASCII; '(' ')' '\' are escaped). An empty line leaves a gap.
inline std::string make_pdf(const std::vector<std::vector<std::string>>& pages) {
  std::vector<std::string> objects;  // object i + 1
  const size_t n_pages = pages.size();
  const size_t font = 3 + 2 * n_pages;  // catalog 1, pages 2, then (page, contents) pairs, then the font
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (size_t p = 0; p < n_pages; ++p) kids += std::to_string(3 + 2 * p) + " 0 R ";
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n_pages) + " >>");
  for (size_t p = 0; p < n_pages; ++p) {
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + std::to_string(4 + 2 * p) +
                      " 0 R /Resources << /Font << /F1 " + std::to_string(font) + " 0 R >> >> >>");
    std::string content = "BT /F1 12 Tf 14 TL 72 740 Td\n";
    for (const std::string& line : pages[p]) {
      std::string esc;
      for (char c : line) {
        if (c == '(' || c == ')' || c == '\\') esc += '\\';
        esc += c;
      }
      content += "(" + esc + ") Tj T*\n";
      if (line.empty()) content += "T*\n";
    }
    content += "ET\n";
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
  }
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  std::string out = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    std::string num = std::to_string(off);
    out += std::string(10 - num.size(), '0') + num + " 00000 n \n";
  }
  out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) +
         "\n%%EOF\n";
  return out;
}

}  // namespace ondo::testing
