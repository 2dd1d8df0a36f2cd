// Internal to the TFLite reader: verified, copying access to the fields of
// one FlatBuffers table. Every accessor verifies what it reads first and
// throws host::Error naming the field and where it is; vector elements are
// copied out with memcpy, so nothing depends on element alignment.
#ifndef LOCUS_HOST_TFLITE_TFLITE_TABLE_VIEW_H_
#define LOCUS_HOST_TFLITE_TFLITE_TABLE_VIEW_H_

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "host/common/error.h"
#include "host/tflite/tflite_format.h"
#include "host/tflite/tflite_reader.h"

namespace locus::host::tflite {

// The bytes being read and the verifier that guards them.
class VerifiedFile {
 public:
  explicit VerifiedFile(std::span<const uint8_t> bytes)
      : bytes_(bytes),
        // The verifier asserts on sizes at or above the FlatBuffers limit;
        // a larger file keeps its FlatBuffer in the first 2 GB anyway.
        verifier_(bytes.data(), bytes.size() < FLATBUFFERS_MAX_BUFFER_SIZE
                                    ? bytes.size()
                                    : FLATBUFFERS_MAX_BUFFER_SIZE - 1) {}

  std::span<const uint8_t> bytes() const { return bytes_; }
  flatbuffers::Verifier& verifier() { return verifier_; }

  // Follows the uoffset stored at byte position `position`; null if it
  // does not lead somewhere inside the buffer.
  const uint8_t* follow_offset(size_t position) {
    const flatbuffers::uoffset_t offset = verifier_.VerifyOffset(position);
    if (offset == 0) return nullptr;
    return bytes_.data() + position + offset;
  }

 private:
  std::span<const uint8_t> bytes_;
  flatbuffers::Verifier verifier_;
};

class TableView {
 public:
  // Verifies the table's header and vtable. `where` prefixes every error.
  TableView(VerifiedFile& file, const uint8_t* table, std::string where)
      : file_(file), where_(std::move(where)) {
    if (table == nullptr || !file_.verifier().VerifyTableStart(table)) {
      fail(where_, ": malformed table (bad vtable or out of bounds)");
    }
    table_ = reinterpret_cast<const flatbuffers::Table*>(table);
  }
  ~TableView() { file_.verifier().EndTable(); }
  TableView(const TableView&) = delete;
  TableView& operator=(const TableView&) = delete;

  const std::string& where() const { return where_; }
  VerifiedFile& file() const { return file_; }

  bool has(int field_id) const { return table_->CheckField(field_slot(field_id)); }

  template <typename T>
  T scalar(int field_id, T default_value, const char* field_name) const {
    if (!table_->VerifyField<T>(file_.verifier(), field_slot(field_id), sizeof(T))) {
      fail(where_, ": field '", field_name, "' is out of bounds or misaligned");
    }
    return table_->GetField<T>(field_slot(field_id), default_value);
  }

  bool boolean(int field_id, bool default_value, const char* field_name) const {
    return scalar<uint8_t>(field_id, default_value ? 1 : 0, field_name) != 0;
  }

  // Copy of a vector of scalars; empty when absent.
  template <typename T>
  std::vector<T> scalar_vector(int field_id, const char* field_name) const {
    const auto* vector = pointer<flatbuffers::Vector<T>>(field_id, field_name);
    if (vector == nullptr) return {};
    if (!file_.verifier().VerifyVector(vector)) {
      fail(where_, ": vector '", field_name, "' is out of bounds");
    }
    std::vector<T> values(vector->size());
    if (!values.empty()) std::memcpy(values.data(), vector->Data(), values.size() * sizeof(T));
    return values;
  }

  // A [ubyte] field in place (no copy); empty when absent.
  std::span<const uint8_t> byte_vector(int field_id, const char* field_name) const {
    const auto* vector = pointer<flatbuffers::Vector<uint8_t>>(field_id, field_name);
    if (vector == nullptr) return {};
    if (!file_.verifier().VerifyVector(vector)) {
      fail(where_, ": vector '", field_name, "' is out of bounds");
    }
    return {vector->Data(), vector->size()};
  }

  std::string string(int field_id, const char* field_name) const {
    const auto* text = pointer<flatbuffers::String>(field_id, field_name);
    if (text == nullptr) return {};
    if (!file_.verifier().VerifyString(text)) {
      fail(where_, ": string '", field_name, "' is out of bounds or unterminated");
    }
    return std::string(text->c_str(), text->size());
  }

  // Start of a sub-table (to be wrapped in its own TableView); null when absent.
  const uint8_t* table(int field_id, const char* field_name) const {
    return reinterpret_cast<const uint8_t*>(pointer<flatbuffers::Table>(field_id, field_name));
  }

  // Starts of the tables of a [Table] field, offsets verified; empty when absent.
  std::vector<const uint8_t*> table_vector(int field_id, const char* field_name) const {
    const auto* vector = pointer<flatbuffers::Vector<flatbuffers::uoffset_t>>(field_id, field_name);
    if (vector == nullptr) return {};
    if (!file_.verifier().VerifyVector(vector)) {
      fail(where_, ": vector '", field_name, "' is out of bounds");
    }
    std::vector<const uint8_t*> tables(vector->size());
    const size_t first = static_cast<size_t>(vector->Data() - file_.bytes().data());
    for (size_t i = 0; i < tables.size(); ++i) {
      tables[i] = file_.follow_offset(first + i * sizeof(flatbuffers::uoffset_t));
      if (tables[i] == nullptr) {
        fail(where_, ": '", field_name, "' entry ", i, " has an offset out of bounds");
      }
    }
    return tables;
  }

 private:
  // Verified offset field -> pointer to what it refers to (not yet verified).
  template <typename T>
  const T* pointer(int field_id, const char* field_name) const {
    if (!table_->VerifyOffset(file_.verifier(), field_slot(field_id))) {
      fail(where_, ": field '", field_name, "' has an offset out of bounds");
    }
    return table_->GetPointer<const T*>(field_slot(field_id));
  }

  VerifiedFile& file_;
  const flatbuffers::Table* table_ = nullptr;
  std::string where_;
};

// Decodes the builtin options table of union type `type` (tflite_options.cc).
// Types the reader does not decode are verified as tables and give monostate.
BuiltinOptions read_builtin_options(VerifiedFile& file, uint8_t type, const uint8_t* table,
                                    const std::string& where);

}  // namespace locus::host::tflite

#endif  // LOCUS_HOST_TFLITE_TFLITE_TABLE_VIEW_H_
