// snn_infer: picture files through a trained network (a checkpoint snn_gpu_train wrote): each
// picture made into an MNIST digit (data/digit_image.hpp), presented once with learning off,
// and the class its learning layer's spikes vote for printed with every class's vote, as text
// or JSON. docs/infer.md.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "app_main.hpp"
#include "apps/backend_factory.hpp"
#include "core/error.hpp"
#include "data/digit_image.hpp"
#include "io/image_read.hpp"
#include "sim/checkpoint_network.hpp"
#include "sim/labeling.hpp"

namespace {

using nlohmann::json;
using namespace memsnn;

struct Picture {
  std::string path;
  int width = 0, height = 0;
  DigitImage digit;
};

Picture read_picture(const std::string& path) {
  const GreyImage grey = read_grey_image(path);
  Picture p{path, grey.width, grey.height, {}};
  try {
    p.digit = mnist_digit(grey);
  } catch (const DataError& e) {
    throw DataError(path + ": " + e.what());
  }
  return p;
}

// The classes the network was trained on (protocol.classes, or all ten).
std::vector<int> trained_classes(const Network& net) {
  std::vector<int> classes(net.config.protocol.classes.begin(), net.config.protocol.classes.end());
  if (classes.empty()) {
    for (int c = 0; c < kNumClasses; ++c) classes.push_back(c);
  }
  return classes;
}

json picture_json(const Picture& p, const PresentationResult& r, const ClassVotes& votes, int32_t predicted,
                  const std::vector<int>& classes) {
  json vote = json::object(), neurons = json::object();
  for (const int c : classes) {
    vote[std::to_string(c)] = votes.neurons[c] ? json(votes.score[c]) : json(nullptr);
    neurons[std::to_string(c)] = votes.neurons[c];
  }
  const DigitImage& d = p.digit;
  return {{"image", p.path},
          {"predicted", predicted >= 0 ? json(predicted) : json(nullptr)},
          {"votes", vote},
          {"neurons_per_class", neurons},
          {"spikes", {{"input", r.input_spikes}, {"layer", r.layer_spikes}, {"presentations", r.attempts}}},
          {"picture", {{"width", p.width}, {"height", p.height}, {"inverted", d.inverted},
                       {"ink_box", {d.box_x, d.box_y, d.box_width, d.box_height}},
                       {"scaled", {d.scaled_width, d.scaled_height}}}}};
}

void print_picture(const Picture& p, const PresentationResult& r, const ClassVotes& votes, int32_t predicted,
                   const std::vector<int>& classes) {
  std::printf("%s\n", p.path.c_str());
  std::printf("  predicted  %s\n", predicted >= 0 ? std::to_string(predicted).c_str() : "none (no labelled neuron fired)");
  std::printf("  votes     ");
  for (const int c : classes) {
    if (votes.neurons[c]) {
      std::printf(" %d: %.2f", c, votes.score[c]);
    } else {
      std::printf(" %d: -", c);
    }
  }
  std::printf("  (mean spikes of each class's neurons)\n");
  std::printf("  spikes     %llu input, %llu learning layer, %u presentation(s)\n",
              static_cast<unsigned long long>(r.input_spikes), static_cast<unsigned long long>(r.layer_spikes),
              r.attempts);
  const DigitImage& d = p.digit;
  std::printf("  picture    %dx%d, %s; ink box %dx%d at (%d, %d) -> %dx%d in 28x28\n", p.width, p.height,
              d.inverted ? "dark on light (inverted)" : "light on dark", d.box_width, d.box_height, d.box_x, d.box_y,
              d.scaled_width, d.scaled_height);
}

int run(const cxxopts::ParseResult& args) {
  if (!args.count("checkpoint")) throw UsageError("--checkpoint FILE is required");
  if (!args.count("image")) throw UsageError("at least one --image FILE is required");
  const bool as_json = args.count("json") > 0;

  const CheckpointNetwork ck = load_checkpoint_network(args["checkpoint"].as<std::string>(), [&](json& doc) {
    if (args.count("seed")) doc["seed"] = args["seed"].as<uint64_t>();
  });
  const Network net = build_checkpoint_network(ck, kMnistSide, kMnistSide);
  std::vector<Picture> pictures;
  for (const std::string& path : args["image"].as<std::vector<std::string>>()) pictures.push_back(read_picture(path));

  BackendChoice choice = make_backend(args["backend"].as<std::string>(), net, BackendOptions{});
  Backend& backend = *choice.backend;
  restore_checkpoint_state(backend, ck);

  // The k-th picture is test sample k: with the checkpoint's seed it draws the input spikes
  // the evaluator draws for the k-th test image.
  std::vector<uint8_t> inputs(pictures.size() * net.n_inputs);
  std::vector<PresentationRequest> requests(pictures.size());
  for (size_t k = 0; k < pictures.size(); ++k) {
    encode_image(net, pictures[k].digit.pixels.data(), kMnistSide, kMnistSide, inputs.data() + k * net.n_inputs);
    requests[k] = {inputs.data() + k * net.n_inputs, static_cast<uint32_t>(k), Phase::kTest};
  }
  std::vector<PresentationResult> results(pictures.size());
  backend.infer(requests, results);

  const std::vector<int32_t> labels = backend.labels();
  const std::vector<int> classes = trained_classes(net);
  json out = {{"checkpoint", ck.path},       {"network", net.config.name}, {"backend", backend.name()},
              {"seed", net.config.seed},     {"classes", classes},         {"images", json::array()}};
  if (!as_json) {
    std::printf("memsnn snn_infer\n  %s\n  checkpoint %s: %s, %u inputs -> %u neurons, seed %llu\n",
                choice.notice.c_str(), ck.path.c_str(), net.config.name.c_str(), net.n_inputs, net.n_neurons(),
                static_cast<unsigned long long>(net.config.seed));
  }
  for (size_t k = 0; k < pictures.size(); ++k) {
    const ClassVotes votes = class_votes(results[k].counts, labels);
    const int32_t predicted = predicted_class(votes);
    if (as_json) {
      out["images"].push_back(picture_json(pictures[k], results[k], votes, predicted, classes));
    } else {
      print_picture(pictures[k], results[k], votes, predicted, classes);
    }
  }
  if (as_json) std::cout << out.dump(2) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("snn_infer",
                           "Classify pictures of handwritten digits (PNG, JPEG, BMP, PGM) with a trained checkpoint: "
                           "each picture is made into an MNIST digit and presented once, learning off.");
  // clang-format off
  options.add_options()
    ("checkpoint", "Checkpoint written by snn_gpu_train (checkpoint.bin)", cxxopts::value<std::string>())
    ("image", "Picture file; repeat for several (the k-th is presented as test sample k)", cxxopts::value<std::vector<std::string>>())
    ("json", "Print one JSON object instead of text")
    ("backend", "cpu, cuda or auto", cxxopts::value<std::string>()->default_value("cpu"))
    ("seed", "Seed of the input spikes (default: the checkpoint's)", cxxopts::value<uint64_t>())
    ("h,help", "Show this help");
  // clang-format on
  return memsnn::app_main("snn_infer", options, argc, argv,
                          [&](const cxxopts::ParseResult& args) { return run(args); });
}
