// Reports from a hand-made evaluation result: text tables, JSON fields,
// the charts and the HTML page.
#include "host/evaluation/report.h"

#include <gtest/gtest.h>
#include <png.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "host/common/error.h"

namespace locus::host {
namespace {

EvalResult classifier_result() {
  EvalResult r;
  r.capsule.name = "kws";
  r.capsule.version = "1.2.0";
  r.capsule.digest = std::string(64, 'a');
  r.capsule.sensor = "audio";
  r.capsule.dsp_block = "mfcc";
  r.capsule.memory_bytes = 12000;
  r.capsule.arena_bytes = 8000;
  r.capsule.capsule_bytes = 50000;
  r.classes = {"yes", "no", "<odd&>"};
  auto add = [&](const std::string& path, int32_t truth, int32_t predicted, float confidence) {
    SamplePrediction p;
    p.path = "/data/" + path;
    p.label = r.classes[static_cast<size_t>(truth)];
    p.truth = truth;
    p.predicted = predicted;
    p.confidence = confidence;
    p.scores = {0.1f, 0.2f, 0.7f};
    p.inferences = 1;
    r.predictions.push_back(p);
  };
  add("yes/a.wav", 0, 0, 0.9f);
  add("yes/b.wav", 0, 1, 0.6f);
  add("no/c.wav", 1, 1, 0.8f);
  add("x/d.wav", 2, 2, 0.7f);
  r.dataset_labels = {{"yes", 2}, {"no", 1}, {"<odd&>", 1}, {"up", 3}};
  r.skipped_labels = {{"up", 3}};
  r.errors.push_back({"/data/no/bad.wav", "no", "/data/no/bad.wav: not a sound file"});
  r.warnings.push_back("dataset labels the capsule does not know were skipped: up (3)");
  r.confusion = confusion_matrix({0, 0, 1, 2}, {0, 1, 1, 2}, r.classes);
  r.metrics = classification_metrics(r.confusion);
  r.latency.inferences = 4;
  r.latency.mean_model_us = 250.5;
  r.latency.threads = 2;
  return r;
}

EvalContext context() {
  EvalContext c;
  c.capsule_origin = "kws.capsule";
  c.data_dir = "/data";
  c.split = "test";
  return c;
}

TEST(Report, TextHasTablesMetricsAndErrors) {
  const std::string text = render_text(classifier_result(), context());
  EXPECT_NE(text.find("kws 1.2.0  sha256:aaaaaaaaaaaaaaaa"), std::string::npos) << text;
  EXPECT_NE(text.find("/data (split test, seed 0): 7 samples, 4 labels; evaluated 4, skipped 3, "
                      "errors 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("75.00 % (3 of 4)"), std::string::npos) << text;
  EXPECT_NE(text.find("250.5 us per inference (Engine::invoke only"), std::string::npos) << text;
  // Rows of the confusion matrix: label then counts.
  EXPECT_NE(text.find("  yes         1      1      0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  yes        1.0000     0.5000     0.6667          2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("/data/no/bad.wav: not a sound file"), std::string::npos);
  EXPECT_NE(text.find("warning: dataset labels the capsule does not know"), std::string::npos);
}

TEST(Report, JsonCarriesEverything) {
  const nlohmann::json j = report_json(classifier_result(), context());
  EXPECT_EQ(j["capsule"]["name"], "kws");
  EXPECT_EQ(j["capsule"]["memory_bytes"], 12000);
  EXPECT_EQ(j["capsule"]["kind"], "classify");
  EXPECT_DOUBLE_EQ(j["metrics"]["accuracy"].get<double>(), 0.75);
  EXPECT_EQ(j["metrics"]["classes"][1]["label"], "no");
  EXPECT_DOUBLE_EQ(j["metrics"]["classes"][1]["precision"].get<double>(), 0.5);
  EXPECT_EQ(j["confusion"]["counts"], nlohmann::json::parse("[[1,1,0],[0,1,0],[0,0,1]]"));
  EXPECT_EQ(j["predictions"].size(), 4u);
  EXPECT_EQ(j["predictions"][1]["predicted"], "no");
  EXPECT_EQ(j["predictions"][1]["truth"], "yes");
  EXPECT_EQ(j["predictions"][1]["correct"], false);
  EXPECT_EQ(j["dataset"]["skipped_labels"]["up"], 3);
  EXPECT_EQ(j["dataset"]["skipped"], 3);
  EXPECT_EQ(j["errors"][0]["path"], "/data/no/bad.wav");
  EXPECT_TRUE(j["latency"]["timing"].get<std::string>().find("invoke") != std::string::npos);
  EXPECT_FALSE(j.contains("anomaly"));
}

TEST(Report, ConfusionSvgHasLabelsCountsAndEscapes) {
  const EvalResult r = classifier_result();
  const std::string svg = confusion_svg(r.confusion);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find(">yes</text>"), std::string::npos);
  EXPECT_NE(svg.find(">no</text>"), std::string::npos);
  EXPECT_NE(svg.find("&lt;odd&amp;&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<odd&>"), std::string::npos);
  // Row yes: 1 of 2 predicted no -> half the row.
  EXPECT_NE(svg.find("true yes, predicted no: 1 (50.0% of the row)"), std::string::npos) << svg;
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(Report, ConfusionPngHasOneCellPerPair) {
  const std::string path = ::testing::TempDir() + "/eval_confusion.png";
  write_confusion_png(path, classifier_result().confusion);
  FILE* f = std::fopen(path.c_str(), "rb");
  ASSERT_NE(f, nullptr);
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f);
  png_read_info(png, info);
  // 3 cells of 48 px with 2 px grid lines: 3 x 50 + 2.
  EXPECT_EQ(png_get_image_width(png, info), 152u);
  EXPECT_EQ(png_get_image_height(png, info), 152u);
  EXPECT_EQ(png_get_color_type(png, info), PNG_COLOR_TYPE_RGB);
  png_destroy_read_struct(&png, &info, nullptr);
  std::fclose(f);
  EXPECT_THROW(write_confusion_png(path, ConfusionMatrix{}), Error);
}

AnomalySummary anomaly_summary() {
  AnomalySummary a;
  a.roc = roc_curve({0.9, 0.8, 0.7, 0.6, 0.55, 0.4}, {true, true, false, true, false, false});
  a.auc = roc_auc(a.roc);
  a.partial_auc = partial_auc(a.roc, 0.1);
  a.normal = 3;
  a.anomalous = 3;
  return a;
}

TEST(Report, RocSvgPlotsTheCurve) {
  const std::string svg = roc_svg(anomaly_summary());
  EXPECT_NE(svg.find("ROC: AUC 0.8889"), std::string::npos) << svg;
  // (0,0) at the bottom left, (1,1) at the top right of the 340 px square.
  EXPECT_NE(svg.find("points=\"60.0,380.0 60.0,266.7 "), std::string::npos) << svg;
  EXPECT_NE(svg.find("400.0,40.0 \""), std::string::npos) << svg;
  EXPECT_THROW(roc_svg(AnomalySummary{}), Error);
}

TEST(Report, HtmlIsSelfContainedAndWritesEveryFile) {
  EvalResult r = classifier_result();
  const std::string html = report_html(r, context());
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("sha256:" + std::string(64, 'a')), std::string::npos);
  EXPECT_NE(html.find("Misclassified files (1)"), std::string::npos);
  EXPECT_NE(html.find("<td>yes/b.wav</td>"), std::string::npos) << html;
  EXPECT_NE(html.find("(skipped: not a capsule label)"), std::string::npos);
  EXPECT_NE(html.find("pipeline 12000 bytes of RAM (graph arena 8000)"), std::string::npos);

  const std::string dir = ::testing::TempDir() + "/eval_report_classifier";
  std::filesystem::remove_all(dir);
  auto files = write_report(dir, r, context());
  EXPECT_EQ(files.size(), 4u);
  for (const char* name : {"index.html", "report.json", "confusion.svg", "confusion.png"}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + name)) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/roc.svg"));

  // Anomaly results add the ROC chart.
  r.anomaly = anomaly_summary();
  r.capsule.anomaly = true;
  files = write_report(dir, r, context());
  EXPECT_EQ(files.size(), 5u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/roc.svg"));
  std::ifstream in(dir + "/report.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  EXPECT_NEAR(j["anomaly"]["auc"].get<double>(), 8.0 / 9.0, 1e-12);
  EXPECT_TRUE(j["anomaly"]["roc"]["threshold"][0].is_null());  // +infinity
  EXPECT_EQ(j["anomaly"]["roc"]["fpr"].size(), 7u);
}

}  // namespace
}  // namespace locus::host
