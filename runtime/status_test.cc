#include "runtime/status.h"

#include <gtest/gtest.h>

#include <string>

namespace locus {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.is_ok());
  EXPECT_STREQ(s.message(), "");
  EXPECT_STREQ(status_code_name(s.code()), "ok");
}

TEST(Status, FormatsIntegersAndStrings) {
  Status s = Status::error(StatusCode::kMalformed, "tensor %d: %s has %u bytes (%lld, %zu, %x)",
                           -12, "bias", 40u, -9000000000LL, size_t{7}, 255u);
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kMalformed);
  EXPECT_STREQ(s.message(), "tensor -12: bias has 40 bytes (-9000000000, 7, ff)");
}

TEST(Status, PrefixAddsContext) {
  Status s = Status::error(StatusCode::kUnsupported, "stride is 0");
  s.prefix("operator %u (%s)", 3u, "CONV_2D");
  EXPECT_STREQ(s.message(), "operator 3 (CONV_2D): stride is 0");
}

TEST(Status, TruncatesLongMessagesSafely) {
  std::string long_text(1000, 'x');
  Status s = Status::error(StatusCode::kInternal, "%s", long_text.c_str());
  EXPECT_EQ(std::string(s.message()).size(), Status::kMaxMessage - 1);
  s.prefix("%s", long_text.c_str());
  EXPECT_EQ(std::string(s.message()).size(), Status::kMaxMessage - 1);
}

TEST(Status, ErrorWithOkCodeBecomesInternal) {
  EXPECT_EQ(Status::error(StatusCode::kOk, "x").code(), StatusCode::kInternal);
}

TEST(Status, ReturnIfErrorPropagates) {
  auto inner = [](bool fail) {
    return fail ? Status::error(StatusCode::kDataLoss, "bad") : Status::ok();
  };
  auto outer = [&](bool fail) -> Status {
    LOCUS_RETURN_IF_ERROR(inner(fail));
    return Status::error(StatusCode::kInternal, "reached");
  };
  EXPECT_EQ(outer(true).code(), StatusCode::kDataLoss);
  EXPECT_EQ(outer(false).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace locus
