#include "catalog/csv.h"

#include <cctype>

#include "util/ascii.h"

namespace ws::catalog {

namespace {
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
}  // namespace

CsvReader::CsvReader(std::string_view text) : text_(text) {
  if (text_.substr(0, kUtf8Bom.size()) == kUtf8Bom) pos_ = kUtf8Bom.size();
}

void CsvReader::SkipToNextLine() {
  while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  if (pos_ < text_.size()) {
    ++pos_;
    ++next_line_;
  }
}

bool CsvReader::Next(std::vector<std::string>* fields) {
  error_.clear();
  // Skip blank lines.
  while (pos_ < text_.size()) {
    if (text_[pos_] == '\n') {
      ++pos_;
      ++next_line_;
    } else if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
      pos_ += 2;
      ++next_line_;
    } else {
      break;
    }
  }
  if (pos_ >= text_.size()) return false;
  record_line_ = next_line_;
  size_t used = 0;
  auto next_field = [&]() -> std::string& {
    if (used == fields->size()) fields->emplace_back();
    std::string& f = (*fields)[used++];
    f.clear();
    return f;
  };
  while (true) {
    std::string& field = next_field();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n') ++next_line_;
        field.push_back(c);
        ++pos_;
      }
      if (!closed) {
        error_ = "unterminated quoted field";
        fields->resize(used);
        return true;
      }
      if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        error_ = "text after the closing quote of a field";
        SkipToNextLine();
        fields->resize(used);
        return true;
      }
    } else {
      size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
        if (text_[pos_] == '"') {
          error_ = "a double quote inside an unquoted field";
          SkipToNextLine();
          fields->resize(used);
          return true;
        }
        ++pos_;
      }
      field.assign(text_.substr(start, pos_ - start));
    }
    if (pos_ >= text_.size()) break;
    char c = text_[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (c == '\r') {
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
        pos_ += 2;
        ++next_line_;
        break;
      }
      error_ = "a carriage return inside an unquoted field";
      SkipToNextLine();
      fields->resize(used);
      return true;
    }
    // c == '\n'
    ++pos_;
    ++next_line_;
    break;
  }
  fields->resize(used);
  return true;
}

std::string NormalizeHeaderName(std::string_view name) {
  size_t b = 0;
  size_t e = name.size();
  while (b < e && std::isspace(static_cast<unsigned char>(name[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(name[e - 1]))) --e;
  return ToLower(name.substr(b, e - b));
}

}  // namespace ws::catalog
