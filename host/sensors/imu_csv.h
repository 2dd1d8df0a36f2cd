// IMU / accelerometer recordings in CSV: a header row naming the columns,
// then one row per frame.
//
//   timestamp,accX,accY,accZ
//   0,0.12,-0.03,9.81
//   10,0.15,-0.01,9.79
//
// The first column is a timestamp when its name is one of timestamp,
// timestamp_ms, time_ms (milliseconds - Edge Impulse's CSV convention),
// timestamp_s, time_s, time (seconds) or timestamp_us, time_us
// (microseconds), case-insensitively; every other column is an axis (1..9).
// Fields may be surrounded by spaces or double quotes (header only); blank
// lines are skipped; CRLF line ends are fine. Every value must be a finite
// number and every row must have as many fields as the header; errors throw
// host::Error naming file:line:column and what is wrong.
#ifndef LOCUS_HOST_SENSORS_IMU_CSV_H_
#define LOCUS_HOST_SENSORS_IMU_CSV_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace locus::host {

struct ImuRecording {
  std::vector<std::string> axis_names;
  std::vector<float> samples;      // interleaved: frame-major, axes() per frame
  std::vector<double> timestamps;  // seconds, one per frame; empty without a timestamp column
  double sample_rate_hz = 0.0;     // 1 / median frame interval; 0 without timestamps

  size_t axes() const { return axis_names.size(); }
  size_t frames() const { return axis_names.empty() ? 0 : samples.size() / axis_names.size(); }
};

// `origin` names the text in error messages (usually the file name).
ImuRecording parse_imu_csv(std::string_view text, const std::string& origin);
ImuRecording read_imu_csv(const std::string& path);

}  // namespace locus::host

#endif  // LOCUS_HOST_SENSORS_IMU_CSV_H_
