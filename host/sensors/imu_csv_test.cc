#include "host/sensors/imu_csv.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "host/common/error.h"

namespace locus::host {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse_imu_csv(text, "rec.csv");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ImuCsv, ReadsTimestampedAxes) {
  const ImuRecording r = parse_imu_csv(
      "timestamp,accX,accY,accZ\r\n"
      "0,0.5,-1,9.81\r\n"
      "10, 1.5 ,-2,+9.5\r\n"
      "20,2.5,-3,1e1\r\n"
      "\r\n",
      "rec.csv");
  EXPECT_EQ(r.axis_names, (std::vector<std::string>{"accX", "accY", "accZ"}));
  EXPECT_EQ(r.axes(), 3u);
  EXPECT_EQ(r.frames(), 3u);
  EXPECT_EQ(r.samples, (std::vector<float>{0.5f, -1, 9.81f, 1.5f, -2, 9.5f, 2.5f, -3, 10}));
  EXPECT_EQ(r.timestamps, (std::vector<double>{0.0, 0.01, 0.02}));
  EXPECT_DOUBLE_EQ(r.sample_rate_hz, 100.0);
}

TEST(ImuCsv, WithoutTimestampsAndWithQuotedNames) {
  const ImuRecording r = parse_imu_csv("\"gx\",\"gy\"\n1,2\n3,4", "rec.csv");
  EXPECT_EQ(r.axis_names, (std::vector<std::string>{"gx", "gy"}));
  EXPECT_EQ(r.samples, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_TRUE(r.timestamps.empty());
  EXPECT_EQ(r.sample_rate_hz, 0.0);
}

TEST(ImuCsv, TimestampUnitsAndMedianRate) {
  // Seconds, with one late sample: the median interval is 0.02 s.
  const ImuRecording s =
      parse_imu_csv("time_s,x\n0,1\n0.02,1\n0.04,1\n0.09,1\n0.11,1\n", "rec.csv");
  EXPECT_NEAR(s.sample_rate_hz, 50.0, 1e-9);
  const ImuRecording us = parse_imu_csv("Timestamp_us,x\n0,1\n625,1\n1250,1\n", "rec.csv");
  EXPECT_NEAR(us.sample_rate_hz, 1600.0, 1e-6);
  EXPECT_NEAR(us.timestamps[2], 0.00125, 1e-12);
}

TEST(ImuCsv, ReportsBadNumbersWithLineAndColumn) {
  EXPECT_EQ(error_of("timestamp,x,y\n0,1,2\n10,1,abc\n"),
            "rec.csv:3:6: expected a number, got 'abc'");
  EXPECT_EQ(error_of("x,y\n1,2\n3,  4x\n"), "rec.csv:3:5: expected a number, got '4x'");
  EXPECT_EQ(error_of("x,y\n1,\n"), "rec.csv:2:3: empty field, expected a number");
  EXPECT_EQ(error_of("x\nnan\n"), "rec.csv:2:1: 'nan' is not a finite number");
  EXPECT_EQ(error_of("x\n1e400\n"), "rec.csv:2:1: number '1e400' is out of range");
  EXPECT_EQ(error_of("x\n1e39\n"), "rec.csv:2:1: 1e39 does not fit in a float");
}

TEST(ImuCsv, ReportsBadRowsAndHeaders) {
  EXPECT_EQ(error_of("timestamp,x,y\n0,1,2\n10,1\n"), "rec.csv:3: row has 2 fields, the header has 3");
  EXPECT_EQ(error_of("x,y\n1,2,3\n"), "rec.csv:2: row has 3 fields, the header has 2");
  EXPECT_EQ(error_of("timestamp,x\n10,1\n10,2\n"),
            "rec.csv:3:1: timestamp 10 is not after the previous row's");
  EXPECT_EQ(error_of("timestamp\n1\n"), "rec.csv:1: header has no axis columns (only a timestamp)");
  EXPECT_EQ(error_of("x,,y\n"), "rec.csv:1:3: empty column name");
  EXPECT_EQ(error_of("x,y,x\n"), "rec.csv:1:5: column 'x' appears twice");
  EXPECT_EQ(error_of("a,b,c,d,e,f,g,h,i,j\n"),
            "rec.csv:1: header has 10 axis columns, at most 9 are supported");
  EXPECT_EQ(error_of(""), "rec.csv: empty file, expected a header row");
  EXPECT_EQ(error_of("x,y\n\n"), "rec.csv: no data rows after the header");
}

TEST(ImuCsv, ReadsAFile) {
  const std::string path = ::testing::TempDir() + "/imu_csv_test.csv";
  {
    std::ofstream out(path);
    out << "timestamp,accX\n0,1\n16,2\n32,3\n";
  }
  const ImuRecording r = read_imu_csv(path);
  EXPECT_EQ(r.samples, (std::vector<float>{1, 2, 3}));
  EXPECT_NEAR(r.sample_rate_hz, 62.5, 1e-9);
  std::remove(path.c_str());
  try {
    read_imu_csv(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot open");
  }
}

}  // namespace
}  // namespace locus::host
