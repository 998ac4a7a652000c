// snn_infer and what it is made of: the picture reader (io/image_read), the MNIST-style
// preprocessing (data/digit_image), and the app end to end: pictures of embedded test digits,
// written as PNG files, classified about as the evaluator classifies the digits themselves.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu_backend.hpp"
#include "config/config_document.hpp"
#include "config/network_config.hpp"
#include "core/error.hpp"
#include "data/dataset.hpp"
#include "data/digit_image.hpp"
#include "fixtures.hpp"
#include "io/checkpoint.hpp"
#include "io/image_complete.hpp"
#include "io/image_read.hpp"
#include "io/png_encode.hpp"
#include "sim/labeling.hpp"
#include "sim/scheduler.hpp"

using namespace memsnn;
namespace fs = std::filesystem;

namespace {

// An MNIST digit made into an MNIST digit again: its box is 20 pixels and its centre of mass
// on (14, 14) already, so only the contrast stretch (brightest pixel 254 -> 255 in about one
// digit of ten) moves grey levels, by at most 1. Measured on 300 test digits: 300 within 1
// grey level, 268 identical.
constexpr double kMinUnchangedDigits = 0.95;  // digits within 1 grey level everywhere

// snn_infer on PNG files of the test digits against the evaluator on the digits themselves,
// same checkpoint, seed and sample index per digit, so the same input spikes: the two differ
// only where preprocessing moved a grey level by 1, which changes a Poisson draw near its
// threshold now and then and so a close vote. (Called with the pictures in another order,
// each would draw other spikes and the gap would be that of two test runs with other seeds,
// a few per cent on 150 digits.) Measured (seed 1, N = 100, 1,000 training digits, 150 test
// digits): evaluator 57.33 %, snn_infer 56.67 %, the same prediction for 98.0 % of digits.
constexpr double kMaxAccuracyGap = 0.03;     // |accuracy(snn_infer) - accuracy(evaluator)|
constexpr double kMinSamePrediction = 0.93;  // per-digit agreement of the two
// Inverted and padded/scaled (3x, off-centre in a larger picture) pictures of a digit against
// the plain picture, at the same sample index: the 3x box is area-averaged back to 20 pixels,
// exact for nearest-neighbour 3x, but the ink's faint edge may shift the box by one pixel.
// Measured: 40 of 40 the same.
constexpr double kMinSameForVariants = 0.85;

bool have_embedded_data() { return fs::exists(default_embedded_mnist_dir() + "/0.json"); }

GreyImage grey(int width, int height, uint8_t background) {
  GreyImage g;
  g.width = width;
  g.height = height;
  g.pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height), background);
  return g;
}

void fill(GreyImage& g, int x0, int y0, int w, int h, uint8_t v) {
  for (int y = y0; y < y0 + h; ++y) {
    for (int x = x0; x < x0 + w; ++x) g.pixels[static_cast<size_t>(y) * static_cast<size_t>(g.width) + static_cast<size_t>(x)] = v;
  }
}

// A "7": a bar on top and a stem down the right, dark on white, off-centre in a wide picture.
GreyImage seven_dark_on_light() {
  GreyImage g = grey(90, 70, 240);
  fill(g, 10, 8, 30, 6, 20);
  fill(g, 34, 8, 6, 50, 20);
  return g;
}

GreyImage inverted(const GreyImage& g) {
  GreyImage out = g;
  for (uint8_t& v : out.pixels) v = static_cast<uint8_t>(255 - v);
  return out;
}

GreyImage from_digit(std::span<const uint8_t> pixels) {
  GreyImage g = grey(28, 28, 0);
  std::copy(pixels.begin(), pixels.end(), g.pixels.begin());
  return g;
}

// The digit scaled up 3x (nearest) and set at (x, y) in a w x h picture of `background`.
GreyImage padded_and_scaled(const GreyImage& d, int w, int h, int x, int y, uint8_t background) {
  GreyImage g = grey(w, h, background);
  for (int r = 0; r < 84; ++r) {
    for (int c = 0; c < 84; ++c) {
      g.pixels[static_cast<size_t>(y + r) * static_cast<size_t>(w) + static_cast<size_t>(x + c)] = d.at(c / 3, r / 3);
    }
  }
  return g;
}

void write_png(const std::string& path, const GreyImage& g) {
  const std::string png = encode_png(g.pixels.data(), g.width, g.height, 1);
  ASSERT_FALSE(png.empty());
  std::ofstream(path, std::ios::binary) << png;
}

void write_bytes(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// Rows (or columns) holding ink.
int ink_extent(const DigitImage& d, bool rows) {
  int lo = kMnistSide, hi = -1;
  for (int y = 0; y < kMnistSide; ++y) {
    for (int x = 0; x < kMnistSide; ++x) {
      if (d.pixels[static_cast<size_t>(y * kMnistSide + x)] == 0) continue;
      lo = std::min(lo, rows ? y : x);
      hi = std::max(hi, rows ? y : x);
    }
  }
  return hi - lo + 1;
}

// The error line of a failing run and its exit status.
struct Failure {
  int status;
  std::string message;
};
Failure run_failing(const std::string& args, const fixtures::TempDir& tmp) {
  const std::string err = tmp.file("err.txt");
  const int status = fixtures::run_command(std::string(MEMSNN_APPS_DIR) + "/snn_infer " + args + " > /dev/null 2> " + err);
  return {status, fixtures::read_text(err)};
}

// A small untrained checkpoint of `preset` with `neurons` neurons, written in-process.
std::string small_checkpoint(const fixtures::TempDir& tmp, const std::string& name, uint32_t neurons, uint32_t rows) {
  nlohmann::json doc = preset_json("diehl_cook_2015");
  doc.erase("description");
  set_neuron_population_sizes(doc, neurons);
  doc["populations"]["input"]["size"] = rows * rows;
  const NetworkConfig config = config_from_json(doc);
  const Network net = build_network(config, rows, rows);
  Checkpoint ck{config_to_json(config), initial_state(net), {{"written", "test"}}};
  ck.state.labels.assign(neurons, 0);
  const std::string path = tmp.file(name);
  save_checkpoint(path, ck);
  return path;
}

std::vector<int> predictions(const nlohmann::json& out) {
  std::vector<int> p;
  for (const auto& image : out["images"]) p.push_back(image["predicted"].is_null() ? -1 : image["predicted"].get<int>());
  return p;
}

double same_fraction(const std::vector<int>& a, const std::vector<int>& b) {
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(a.size());
}

}  // namespace

TEST(ImageRead, ColourBecomesLuminanceAndTransparencyWhite) {
  const uint8_t rgba[] = {255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 10, 20, 30, 255};
  const GreyImage g = decode_grey_image(encode_png(rgba, 2, 2, 4), "rgba.png");
  ASSERT_EQ(g.width, 2);
  ASSERT_EQ(g.height, 2);
  EXPECT_EQ(g.pixels[0], luminance(255, 0, 0));
  EXPECT_EQ(g.pixels[0], 76);  // 0.299 x 255
  EXPECT_EQ(g.pixels[1], 255);  // transparent black over white
  EXPECT_EQ(g.pixels[2], 127);  // half-opaque black over white
  EXPECT_EQ(g.pixels[3], luminance(10, 20, 30));
  // PGM and BMP read the same grey levels.
  const GreyImage pgm = decode_grey_image(std::string("P5\n# a comment\n2 1\n255\n") + '\x07' + '\xF0', "a.pgm");
  EXPECT_EQ(pgm.pixels, (std::vector<uint8_t>{7, 240}));
}

TEST(ImageRead, EmptyPngDataChunksAreLeftOutAndTheImageIsTheSame) {
  const uint8_t grey[] = {0, 60, 120, 180, 240, 255};
  const std::string png = encode_png(grey, 3, 2, 1);
  const size_t idat = png.find("IDAT") - 4;  // the first data chunk's length field
  ASSERT_LT(idat, png.size());
  // Zero-length IDAT chunks (length, type, CRC) before the data: legal, and under
  // UBSan stb_image reports a null memcpy for them unless they are left out.
  const std::string empty_chunk("\0\0\0\0IDAT\xAE\x42\x60\x82", 12);
  const std::string padded = png.substr(0, idat) + empty_chunk + empty_chunk + png.substr(idat);
  EXPECT_EQ(png_without_empty_data_chunks(padded), png);
  EXPECT_EQ(png_without_empty_data_chunks(png), "");
  EXPECT_EQ(png_without_empty_data_chunks("P5 1 1 255\n\x07"), "");
  const GreyImage g = decode_grey_image(padded, "padded.png");
  EXPECT_EQ(g.pixels, std::vector<uint8_t>(grey, grey + 6));
  // A damaged chunk after an empty one: the rest is passed on, and the decoder reports it.
  EXPECT_THROW(decode_grey_image(png.substr(0, idat) + empty_chunk + png.substr(idat, 10), "cut.png"), DataError);
}

TEST(ImageRead, CorruptTruncatedHugeAndMissingFilesNameTheFile) {
  const fixtures::TempDir tmp;
  const auto error_of = [](const std::string& bytes) {
    try {
      decode_grey_image(bytes, "pic.x");
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("").find("pic.x: empty file"), std::string::npos);
  EXPECT_NE(error_of("GIF89a no thanks").find("pic.x: not a PNG, JPEG, BMP or PGM/PPM"), std::string::npos);
  const std::vector<uint8_t> pixels(64 * 64, 100);
  const std::string png = encode_png(pixels.data(), 64, 64, 1);
  EXPECT_NE(error_of(png.substr(0, png.size() / 2)).find("pic.x: corrupt or truncated"), std::string::npos);
  // A chunk that claims more bytes than the file holds is refused before the decoder would
  // allocate the claimed length (here 1.5 GB for a 100-byte file).
  std::string long_chunk = png;
  const size_t idat = long_chunk.find("IDAT") - 4;
  long_chunk.replace(idat, 4, std::string("\x5b\xfd\x00\x15", 4));
  EXPECT_EQ(error_of(long_chunk), "pic.x: corrupt or truncated PNG: its 'IDAT' chunk at byte " + std::to_string(idat) +
                                      " claims 1543307285 data bytes, and " +
                                      std::to_string(png.size() - idat - 8) + " remain");
  // Bytes after IEND are ignored, as decoders do.
  EXPECT_EQ(image_truncation(png + "trailing junk after the end"), "");
  EXPECT_NE(error_of("P5 4 4 255\n" + std::string(10, 'x')).find("truncated PGM: 21 of the 27 bytes"), std::string::npos)
      << error_of("P5 4 4 255\n" + std::string(10, 'x'));
  EXPECT_NE(error_of("P5 9000 2 255\n").find("9000x2 pixels is larger than the limit of 8192x8192"), std::string::npos);
  // A BMP header (40-byte info header, 8x8, 24 bits) without its pixels.
  std::string bmp(54, '\0');
  bmp[0] = 'B', bmp[1] = 'M', bmp[10] = 54, bmp[14] = 40, bmp[18] = 8, bmp[22] = 8, bmp[26] = 1, bmp[28] = 24;
  EXPECT_NE(error_of(bmp).find("truncated BMP"), std::string::npos) << error_of(bmp);
  // A JPEG without its end marker (the decoder would make up the missing part).
  EXPECT_EQ(image_truncation("\xFF\xD8\xFF\xE0 and then nothing"), "truncated JPEG: no end-of-image marker");
  EXPECT_EQ(image_truncation("\xFF\xD8\xFF\xE0 all there \xFF\xD9"), "");
  // A Huffman table whose 16 counts sum past 256 (stb_image would overflow its code array).
  std::string dht("\xFF\xD8\xFF\xC4\x00\x13\x00", 7);
  dht += std::string(16, '\x20');  // 16 x 32 = 512 codes
  dht += "\xFF\xD9";
  EXPECT_EQ(image_truncation(dht), "corrupt JPEG: a Huffman table defines 512 codes, at most 256");
  std::string fine("\xFF\xD8\xFF\xC4\x00\x14\x00", 7);
  fine += std::string(15, '\0') + "\x01" + "\x05" + "\xFF\xD9";  // one code of length 16
  EXPECT_EQ(image_truncation(fine), "");
  // A scan that uses DC table 1 and AC table 0 when only the tables DC 0 and AC 0 exist.
  std::string scan("\xFF\xD8\xFF\xC4\x00\x14\x00", 7);
  scan += std::string(15, '\0') + "\x01" + "\x05";  // DC table 0
  scan += std::string("\xFF\xC4\x00\x14\x10", 5) + std::string(15, '\0') + "\x01" + "\x05";  // AC table 0
  const std::string sos_header("\xFF\xDA\x00\x08\x01\x01", 6);
  const std::string sos_tail("\x00\x3F\x00", 3);  // Ss 0, Se 63, Ah Al 0
  EXPECT_EQ(image_truncation(scan + sos_header + '\x00' + sos_tail + "\xFF\xD9"), "");
  EXPECT_EQ(image_truncation(scan + sos_header + '\x10' + sos_tail + "\xFF\xD9"),
            "corrupt JPEG: a scan uses DC Huffman table 1, which no table before it defines");
  EXPECT_EQ(image_truncation(scan + sos_header + '\x03' + sos_tail + "\xFF\xD9"),
            "corrupt JPEG: a scan uses AC Huffman table 3, which no table before it defines");
  try {
    read_grey_image(tmp.file("missing.png"));
    FAIL() << "no error for a missing file";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(tmp.file("missing.png")), std::string::npos) << e.what();
  }
}

TEST(DigitImage, DarkInkOnLightPaperIsInvertedAndMatchesLightOnDark) {
  const DigitImage dark = mnist_digit(seven_dark_on_light());
  const DigitImage light = mnist_digit(inverted(seven_dark_on_light()));
  EXPECT_TRUE(dark.inverted);
  EXPECT_FALSE(light.inverted);
  EXPECT_EQ(dark.pixels, light.pixels);
  EXPECT_EQ(*std::max_element(dark.pixels.begin(), dark.pixels.end()), 255);  // ink at full level
  EXPECT_EQ(dark.pixels[0], 0);                                                // paper at 0
}

TEST(DigitImage, TheInkBoxIsScaledToTwentyPixelsKeepingItsAspect) {
  const DigitImage d = mnist_digit(seven_dark_on_light());  // ink box 30 x 50
  EXPECT_EQ(d.box_x, 10);
  EXPECT_EQ(d.box_y, 8);
  EXPECT_EQ(d.box_width, 30);
  EXPECT_EQ(d.box_height, 50);
  EXPECT_EQ(d.scaled_height, 20);
  EXPECT_EQ(d.scaled_width, 12);
  EXPECT_EQ(ink_extent(d, true), 20);
  EXPECT_EQ(ink_extent(d, false), 12);
  // A small digit is enlarged to the same box.
  GreyImage small = grey(15, 15, 0);
  fill(small, 5, 4, 3, 6, 255);
  const DigitImage s = mnist_digit(small);
  EXPECT_EQ(s.scaled_height, 20);
  EXPECT_EQ(s.scaled_width, 10);
  EXPECT_EQ(ink_extent(s, true), 20);
}

TEST(DigitImage, TheCentreOfMassLandsOnFourteenFourteen) {
  for (const GreyImage& g : {seven_dark_on_light(), padded_and_scaled(inverted(seven_dark_on_light()), 100, 100, 3, 11, 0)}) {
    const DigitImage d = mnist_digit(g);
    double x = 0, y = 0;
    centre_of_mass(d.pixels, kMnistSide, kMnistSide, x, y);
    EXPECT_LE(std::fabs(x - kMnistCentre), 0.5 + 1e-9) << x;
    EXPECT_LE(std::fabs(y - kMnistCentre), 0.5 + 1e-9) << y;
  }
}

TEST(DigitImage, MnistDigitsComeOutNearlyUnchanged) {
  if (!have_embedded_data()) GTEST_SKIP() << "embedded MNIST digits not installed";
  const DataSplit data = load_data("");
  constexpr size_t kDigits = 300;
  size_t unchanged = 0, identical = 0;
  for (size_t i = 0; i < kDigits; ++i) {
    const auto original = data.test.image(i);
    const DigitImage d = mnist_digit(from_digit(original));
    EXPECT_FALSE(d.inverted);
    int worst = 0;
    for (size_t p = 0; p < original.size(); ++p) worst = std::max(worst, std::abs(d.pixels[p] - original[p]));
    unchanged += worst <= 1 ? 1 : 0;
    identical += worst == 0 ? 1 : 0;
  }
  std::printf("MNIST digits through the preprocessing: %zu of %zu within 1 grey level, %zu identical\n", unchanged,
              kDigits, identical);
  EXPECT_GE(static_cast<double>(unchanged) / kDigits, kMinUnchangedDigits);
}

TEST(DigitImage, AUniformPictureHasNoDigit) {
  for (const int level : {0, 128, 255}) {
    EXPECT_THROW(mnist_digit(grey(40, 30, static_cast<uint8_t>(level))), DataError) << level;
  }
  GreyImage one = grey(1, 1, 0);
  EXPECT_THROW(mnist_digit(one), DataError);
}

TEST(SnnInfer, AppClassifiesPicturesAsTheEvaluatorClassifiesDigits) {
  if (!have_embedded_data()) GTEST_SKIP() << "embedded MNIST digits not installed";
  const fixtures::TempDir tmp;
  const std::string apps = MEMSNN_APPS_DIR;
  const fs::path run = tmp.path() / "run";
  constexpr size_t kTest = 150, kVariants = 40;
  ASSERT_EQ(fixtures::run_command(apps + "/snn_gpu_train --backend cpu --neurons 100 --train-samples 1000 "
                                  "--test-samples " + std::to_string(kTest) + " --seed 1 --quiet --out " + run.string()),
            0);
  const std::string checkpoint = (run / "checkpoint.bin").string();
  const double evaluator_accuracy =
      nlohmann::json::parse(fixtures::read_text((run / "metrics.json").string()))["test"]["accuracy"].get<double>();

  // The evaluator's prediction for each digit: the same checkpoint, samples 0..kTest-1.
  const DataSplit data = load_data("");
  const Checkpoint ck = load_checkpoint(checkpoint);
  const Network net = build_network(config_from_json(ck.config), 28, 28);
  CpuBackend backend(net, 0);
  backend.set_state(ck.state);
  const EncodedSet test = encode_dataset(net, data.test, kTest);
  const std::vector<PresentationResult> results = fixtures::infer_all(backend, test.pixels, kTest);
  std::vector<int> evaluator;
  for (const auto& r : results) evaluator.push_back(classify(r.counts, ck.state.labels));

  // The same digits as PNG files, in the same order (picture k is sample k).
  std::string images, variant_images;
  for (size_t i = 0; i < kTest; ++i) {
    const std::string path = tmp.file("digit_" + std::to_string(i) + ".png");
    write_png(path, from_digit(data.test.image(i)));
    images += " --image " + path;
  }
  // Inverted and padded/scaled variants of the first kVariants digits, alternating.
  for (size_t i = 0; i < kVariants; ++i) {
    const GreyImage d = from_digit(data.test.image(i));
    const GreyImage v = i % 2 ? inverted(padded_and_scaled(d, 130, 100, 35, 5, 0)) : inverted(d);
    const std::string path = tmp.file("variant_" + std::to_string(i) + ".png");
    write_png(path, v);
    variant_images += " --image " + path;
  }
  const auto infer_json = [&](const std::string& args) {
    const std::string out = tmp.file("out.json");
    EXPECT_EQ(fixtures::run_command(apps + "/snn_infer --json --checkpoint " + checkpoint + args + " > " + out), 0);
    return nlohmann::json::parse(fixtures::read_text(out));
  };
  const nlohmann::json plain = infer_json(images);
  ASSERT_EQ(plain["images"].size(), kTest);
  const std::vector<int> inferred = predictions(plain);
  size_t correct = 0;
  for (size_t i = 0; i < kTest; ++i) correct += inferred[i] == data.test.labels[i] ? 1 : 0;
  const double infer_accuracy = static_cast<double>(correct) / kTest;
  const double agreement = same_fraction(inferred, evaluator);
  const std::vector<int> variants = predictions(infer_json(variant_images));
  const double variant_agreement =
      same_fraction(variants, std::vector<int>(inferred.begin(), inferred.begin() + kVariants));
  std::printf("evaluator %.2f %%, snn_infer on PNG files %.2f %%, same prediction %.1f %%; "
              "inverted/padded variants agree %.1f %%\n",
              100 * evaluator_accuracy, 100 * infer_accuracy, 100 * agreement, 100 * variant_agreement);
  EXPECT_NEAR(infer_accuracy, evaluator_accuracy, kMaxAccuracyGap);
  EXPECT_GE(agreement, kMinSamePrediction);
  EXPECT_GE(variant_agreement, kMinSameForVariants);

  // The JSON holds every class's vote and the spikes; the text names the prediction.
  const auto& first = plain["images"][0];
  EXPECT_EQ(first["votes"].size(), 10u);
  EXPECT_GT(first["spikes"]["input"].get<uint64_t>(), 0u);
  EXPECT_EQ(first["picture"]["width"].get<int>(), 28);
  const std::string text = tmp.file("out.txt");
  ASSERT_EQ(fixtures::run_command(apps + "/snn_infer --checkpoint " + checkpoint + " --image " +
                                  tmp.file("digit_0.png") + " > " + text),
            0);
  EXPECT_NE(fixtures::read_text(text).find("predicted  " + std::to_string(inferred[0])), std::string::npos)
      << fixtures::read_text(text);
}

// Every kind of checkpoint the project writes: anddudkin_mem (14x14 inputs, five classes) and
// a run through memristor devices.
TEST(SnnInfer, AppReadsAnddudkinAndDeviceCheckpoints) {
  if (!have_embedded_data()) GTEST_SKIP() << "embedded MNIST digits not installed";
  const fixtures::TempDir tmp;
  const std::string apps = MEMSNN_APPS_DIR;
  const std::string picture = tmp.file("seven.png");
  write_png(picture, seven_dark_on_light());
  const std::string train = apps + "/snn_gpu_train --backend cpu --neurons 10 --test-samples 5 --quiet ";
  ASSERT_EQ(fixtures::run_command(train + "--preset anddudkin_mem --train-samples 30 --out " + tmp.file("and")), 0);
  ASSERT_EQ(fixtures::run_command(train + "--device neurosim_ag_a_si --train-samples 20 --out " + tmp.file("dev")), 0);
  for (const std::string run : {"and", "dev"}) {
    const std::string out = tmp.file(run + ".json");
    ASSERT_EQ(fixtures::run_command(apps + "/snn_infer --json --checkpoint " + tmp.file(run) + "/checkpoint.bin --image " +
                                    picture + " --image " + picture + " > " + out),
              0)
        << run;
    const nlohmann::json j = nlohmann::json::parse(fixtures::read_text(out));
    ASSERT_EQ(j["images"].size(), 2u);
    const std::size_t classes = run == "and" ? 5u : 10u;
    EXPECT_EQ(j["classes"].size(), classes) << run;
    EXPECT_EQ(j["images"][0]["votes"].size(), classes) << run;
  }
}

TEST(SnnInfer, AppErrorsAreOneLineNamingTheFile) {
  const fixtures::TempDir tmp;
  const std::string checkpoint = small_checkpoint(tmp, "ok.bin", 10, 28);
  const std::string picture = tmp.file("seven.png");
  write_png(picture, seven_dark_on_light());
  write_bytes(tmp.file("corrupt.png"), "\x89PNG\r\n\x1a\n but not really a PNG");
  const std::string png = fixtures::read_text(picture);
  write_bytes(tmp.file("short.png"), png.substr(0, png.size() / 2));
  write_bytes(tmp.file("blank.pgm"), "P5 8 8 255\n" + std::string(64, '\xF0'));
  struct Case {
    std::string args, names, says;
  };
  const std::vector<Case> cases = {
      {"--checkpoint " + checkpoint + " --image " + tmp.file("corrupt.png"), tmp.file("corrupt.png"),
       "corrupt or truncated PNG: its ' not' chunk at byte 8 claims 543323508 data bytes"},
      {"--checkpoint " + checkpoint + " --image " + tmp.file("short.png"), tmp.file("short.png"), "truncated"},
      {"--checkpoint " + checkpoint + " --image " + tmp.file("missing.png"), tmp.file("missing.png"), "cannot open"},
      {"--checkpoint " + checkpoint + " --image " + tmp.file("blank.pgm"), tmp.file("blank.pgm"), "no digit found"},
      {"--checkpoint " + tmp.file("missing.bin") + " --image " + picture, tmp.file("missing.bin"), "cannot open"},
      // A network for 10x10 images: 100 inputs, where a 28x28 digit gives 784.
      {"--checkpoint " + small_checkpoint(tmp, "other.bin", 10, 10) + " --image " + picture, tmp.file("other.bin"),
       "100 does not match the 784 inputs"},
      {"--checkpoint " + picture + " --image " + picture, picture, ""},  // a picture is no checkpoint
  };
  for (const Case& c : cases) {
    const Failure f = run_failing(c.args, tmp);
    EXPECT_EQ(f.status, 1) << c.args;
    EXPECT_EQ(std::count(f.message.begin(), f.message.end(), '\n'), 1) << f.message;
    EXPECT_NE(f.message.find(c.names), std::string::npos) << f.message;
    EXPECT_NE(f.message.find(c.says), std::string::npos) << f.message;
  }
  EXPECT_EQ(run_failing("--image " + picture, tmp).status, 2);           // no checkpoint
  EXPECT_EQ(run_failing("--checkpoint " + checkpoint, tmp).status, 2);  // no image
  EXPECT_EQ(run_failing("--checkpoint " + checkpoint + " --image " + picture + " --backend nope", tmp).status, 1);
}
