// Reading and writing layer-network configs (deep/layer_net_config.hpp).
#include "deep/layer_net_config.hpp"

#include <cmath>

#include "core/json_fields.hpp"

namespace memsnn {
namespace {

using nlohmann::json;

template <typename Enum>
Enum enum_of(const std::string& s, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == s) return static_cast<Enum>(i);
  }
  return static_cast<Enum>(0);  // unreachable: choice() checked the name
}

const std::vector<std::string> kCodings = {"direct", "rate", "latency", "delta"};
const std::vector<std::string> kLatencies = {"linear", "log"};
const std::vector<std::string> kLosses = {"ce_count", "ce_rate", "ce_membrane", "mse_count"};
const std::vector<std::string> kReadouts = {"membrane_sum", "membrane_max", "membrane_last"};
const std::vector<std::string> kSchedules = {"constant", "step", "cosine"};
const std::vector<std::string> kSurrogates = {"fast_sigmoid", "arctan", "straight_through"};
const std::vector<std::string> kOptimizers = {"sgd", "adam", "adamw"};
const std::vector<std::string> kResets = {"subtract", "zero"};

const std::vector<std::string> kLayerKinds = {"dense", "conv2d", "max_pool", "avg_pool", "flatten", "residual", "dropout"};

// The neuron block of a layer; `spiking_default` is what an absent block means.
void read_neuron(const json* neuron, const std::string& path, bool spiking_default, LayerSpec& layer) {
  layer.spiking = spiking_default;
  if (!neuron) return;
  JsonFields n(*neuron, path + ".neuron");
  std::string kind = "leaky", reset;
  n.choice("type", kind, {"leaky", "synaptic", "alif", "none"});
  layer.spiking = kind != "none";
  layer.synaptic = kind == "synaptic";
  layer.alif = kind == "alif";
  if (!layer.spiking) {
    n.finish();  // "none" takes no other key
    return;
  }
  for (const char* key : {"alpha", "learn_alpha"}) {
    if (n.has(key) && !layer.synaptic) JsonFields::fail(n.path(key), "applies to type \"synaptic\" only");
  }
  for (const char* key : {"rho", "adapt"}) {
    if (n.has(key) && !layer.alif) JsonFields::fail(n.path(key), "applies to type \"alif\" only");
  }
  n.number("alpha", layer.alpha, 0.0, 1.0);
  n.boolean("learn_alpha", layer.learn_alpha);
  n.number("rho", layer.adaptation.rho, 0.0, 1.0);
  n.number("adapt", layer.adaptation.adapt, 0.0, 1e6);
  n.number("beta", layer.neuron.beta, 0.0, 1.0);
  n.number("threshold", layer.neuron.threshold, 0.0, 1e6, "", true);
  if (n.choice("reset", reset, kResets)) layer.neuron.reset = enum_of<ResetKind>(reset, kResets);
  n.boolean("learn_beta", layer.learn_beta);
  n.boolean("learn_threshold", layer.learn_threshold);
  n.finish();
  if (layer.learn_threshold && layer.neuron.reset == ResetKind::kZero) {
    JsonFields::fail(path + ".neuron.learn_threshold", "needs reset \"subtract\" (a zero reset has no threshold term)");
  }
}

LayerSpec read_layer(const json& j, const std::string& path, size_t index) {
  JsonFields f(j, path);
  std::string type;
  if (!f.choice("type", type, kLayerKinds)) JsonFields::fail(f.path("type"), "missing; valid: dense, conv2d, max_pool, avg_pool, flatten, residual, dropout");
  LayerSpec layer;
  layer.kind = enum_of<LayerKind>(type, kLayerKinds);
  switch (layer.kind) {
    case LayerKind::kDense:
      if (!f.integer("size", layer.size, 1, 1u << 16)) JsonFields::fail(f.path("size"), "missing (neurons in the layer)");
      break;
    case LayerKind::kConv2d:
      if (!f.integer("channels", layer.channels, 1, 1u << 12)) JsonFields::fail(f.path("channels"), "missing (output channels)");
      if (!f.integer("kernel", layer.kernel, 1, 1u << 8)) JsonFields::fail(f.path("kernel"), "missing (kernel height and width)");
      f.integer("stride", layer.stride, 1, 1u << 8);
      f.integer("padding", layer.padding, 0, 1u << 8);
      break;
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      if (!f.integer("kernel", layer.kernel, 1, 1u << 8)) JsonFields::fail(f.path("kernel"), "missing (window height and width)");
      break;
    case LayerKind::kFlatten:
      break;
    case LayerKind::kResidual:
      // The layer before this one is its input already: `from` names another, earlier one.
      if (index < 2) JsonFields::fail(path, "a residual layer needs two layers before it");
      if (!f.integer("from", layer.from, 0, index - 2)) {
        JsonFields::fail(f.path("from"), "missing (the earlier layer whose output is added, 0.." + std::to_string(index - 2) + ")");
      }
      break;
    case LayerKind::kDropout:
      f.number("rate", layer.rate, 0.0, 1.0);
      if (layer.rate >= 1.0f) JsonFields::fail(f.path("rate"), "must be below 1 (1 drops everything)");
      break;
  }
  const json* neuron = f.object("neuron");
  f.finish();
  if ((layer.kind == LayerKind::kFlatten || layer.kind == LayerKind::kDropout) && neuron) {
    JsonFields::fail(path + ".neuron", "a " + type + " layer has no neurons");
  }
  // Dense and conv layers spike unless told not to; pools pass their input on unless given neurons.
  read_neuron(neuron, path, layer.kind == LayerKind::kDense || layer.kind == LayerKind::kConv2d, layer);
  return layer;
}

void read_training(const json& j, LayerTraining& t) {
  JsonFields f(j, "training");
  std::string s;
  if (f.choice("loss", s, kLosses)) t.loss = enum_of<LossKind>(s, kLosses);
  f.number("mse_correct_rate", t.correct_rate, 0.0, 1.0);
  f.number("mse_incorrect_rate", t.incorrect_rate, 0.0, 1.0);
  if (const json* o = f.object("optimizer")) {
    JsonFields g(*o, "training.optimizer");
    if (g.choice("type", s, kOptimizers)) t.optimizer.kind = enum_of<OptimizerKind>(s, kOptimizers);
    g.number("lr", t.optimizer.lr, 0.0, 10.0, "", true);
    std::vector<double> betas;
    if (g.number_list("betas", betas, 0.0, 1.0, 2, 2, "")) {
      if (betas[0] >= 1.0 || betas[1] >= 1.0) JsonFields::fail(g.path("betas"), "entries must be below 1");
      t.optimizer.beta1 = static_cast<float>(betas[0]);
      t.optimizer.beta2 = static_cast<float>(betas[1]);
    }
    double momentum = -1.0;
    if (g.number("momentum", momentum, 0.0, 0.999999)) {
      if (t.optimizer.kind != OptimizerKind::kSgd) JsonFields::fail(g.path("momentum"), "applies to type \"sgd\" only");
      t.optimizer.beta1 = static_cast<float>(momentum);
    } else if (t.optimizer.kind == OptimizerKind::kSgd) {
      t.optimizer.beta1 = 0.0f;  // plain SGD unless a momentum is given
    }
    g.number("eps", t.optimizer.eps, 0.0, 1.0, "", true);
    g.number("weight_decay", t.optimizer.weight_decay, 0.0, 1.0);
    g.finish();
  }
  if (const json* o = f.object("schedule")) {
    JsonFields g(*o, "training.schedule");
    if (g.choice("type", s, kSchedules)) t.schedule = enum_of<ScheduleKind>(s, kSchedules);
    g.integer("step_epochs", t.step_epochs, 1, 1u << 20);
    g.number("gamma", t.gamma, 0.0, 1.0, "", true);
    g.number("min_lr", t.min_lr, 0.0, 10.0);
    g.finish();
  }
  f.integer("batch_size", t.batch_size, 1, 1u << 16);
  f.integer("epochs", t.epochs, 1, 1u << 20);
  f.integer("train_samples", t.train_samples, 0, 1u << 30);
  f.integer("test_samples", t.test_samples, 0, 1u << 30);
  f.boolean("shuffle", t.shuffle);
  f.finish();
}

json input_to_json(const LayerNetConfig& c) {
  json in = {{"coding", kCodings[static_cast<size_t>(c.coding)]}};
  if (c.coding == InputCoding::kRate) in["gain"] = c.rate_gain;
  if (c.coding == InputCoding::kLatency) {
    in["latency"] = kLatencies[static_cast<size_t>(c.latency)];
    in["tau"] = c.tau;
  }
  if (c.coding == InputCoding::kLatency || c.coding == InputCoding::kDelta) in["threshold"] = c.threshold;
  return in;
}

}  // namespace

bool is_layer_network(const json& doc) { return doc.is_object() && doc.contains("layers"); }

LayerNetConfig layer_net_config_from_json(const json& doc) {
  LayerNetConfig c;
  JsonFields f(doc, "");
  f.allow("description");
  f.string("name", c.name);
  f.integer("seed", c.seed, 0, UINT64_MAX);
  f.integer("steps", c.steps, 1, 100000);
  if (const json* in = f.object("input")) {
    JsonFields g(*in, "input");
    std::string s;
    if (g.choice("coding", s, kCodings)) c.coding = enum_of<InputCoding>(s, kCodings);
    // Each coding's own keys, and no other's.
    const auto only_for = [&](const char* key, bool applies, const char* codings) {
      if (g.has(key) && !applies) JsonFields::fail(g.path(key), std::string("applies to coding ") + codings + " only");
    };
    only_for("gain", c.coding == InputCoding::kRate, "\"rate\"");
    only_for("latency", c.coding == InputCoding::kLatency, "\"latency\"");
    only_for("tau", c.coding == InputCoding::kLatency, "\"latency\"");
    only_for("threshold", c.coding == InputCoding::kLatency || c.coding == InputCoding::kDelta, "\"latency\" and \"delta\"");
    g.number("gain", c.rate_gain, 0.0, 1e6, "", true);
    if (g.choice("latency", s, kLatencies)) c.latency = enum_of<LatencyKind>(s, kLatencies);
    g.number("threshold", c.threshold, 0.0, 1.0);
    g.number("tau", c.tau, 0.0, 1e6, "steps", true);
    g.finish();
  }
  const json* layers = f.any("layers");
  if (!layers || !layers->is_array() || layers->empty()) JsonFields::fail("layers", "must be a non-empty list of layer objects");
  for (size_t i = 0; i < layers->size(); ++i) c.layers.push_back(read_layer((*layers)[i], "layers[" + std::to_string(i) + "]", i));
  if (!c.layers.back().spiking) {
    JsonFields::fail("layers[" + std::to_string(c.layers.size() - 1) + "]", "the output layer must have neurons (its spikes and membranes are the readout)");
  }
  if (const json* sg = f.object("surrogate")) {
    JsonFields g(*sg, "surrogate");
    std::string s;
    if (g.choice("type", s, kSurrogates)) {
      c.surrogate.kind = enum_of<SurrogateKind>(s, kSurrogates);
      if (c.surrogate.kind == SurrogateKind::kArctan) c.surrogate.slope = 2.0f;  // snnTorch's default alpha
    }
    g.number("slope", c.surrogate.slope, 0.0, 1e6, "", true);
    g.finish();
  }
  std::string readout;
  if (f.choice("readout", readout, kReadouts)) c.readout = enum_of<MembraneReadout>(readout, kReadouts);
  if (const json* t = f.object("training")) read_training(*t, c.training);
  f.finish();
  if (c.training.schedule == ScheduleKind::kCosine && c.training.min_lr > c.training.optimizer.lr) {
    JsonFields::fail("training.schedule.min_lr", "is above the initial learning rate training.optimizer.lr");
  }
  return c;
}

json layer_net_config_to_json(const LayerNetConfig& c) {
  json layers = json::array();
  for (const auto& l : c.layers) {
    json layer = {{"type", kLayerKinds[static_cast<size_t>(l.kind)]}};
    switch (l.kind) {
      case LayerKind::kDense:
        layer["size"] = l.size;
        break;
      case LayerKind::kConv2d:
        layer["channels"] = l.channels;
        layer["kernel"] = l.kernel;
        layer["stride"] = l.stride;
        layer["padding"] = l.padding;
        break;
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
        layer["kernel"] = l.kernel;
        break;
      case LayerKind::kFlatten:
        break;
      case LayerKind::kResidual:
        layer["from"] = l.from;
        break;
      case LayerKind::kDropout:
        layer["rate"] = l.rate;
        break;
    }
    if (l.kind != LayerKind::kFlatten && l.kind != LayerKind::kDropout) {
      json neuron = {{"type", "none"}};
      if (l.spiking) {
        neuron = {{"type", l.synaptic ? "synaptic" : l.alif ? "alif" : "leaky"},
                  {"beta", l.neuron.beta},
                  {"threshold", l.neuron.threshold},
                  {"reset", kResets[static_cast<size_t>(l.neuron.reset)]},
                  {"learn_beta", l.learn_beta},
                  {"learn_threshold", l.learn_threshold}};
        if (l.synaptic) {
          neuron["alpha"] = l.alpha;
          neuron["learn_alpha"] = l.learn_alpha;
        }
        if (l.alif) {
          neuron["rho"] = l.adaptation.rho;
          neuron["adapt"] = l.adaptation.adapt;
        }
      }
      layer["neuron"] = neuron;
    }
    layers.push_back(layer);
  }
  const LayerTraining& t = c.training;
  json optimizer = {{"type", kOptimizers[static_cast<size_t>(t.optimizer.kind)]},
                    {"lr", t.optimizer.lr},
                    {"eps", t.optimizer.eps},
                    {"weight_decay", t.optimizer.weight_decay}};
  if (t.optimizer.kind == OptimizerKind::kSgd) {
    optimizer["momentum"] = t.optimizer.beta1;
  } else {
    optimizer["betas"] = {t.optimizer.beta1, t.optimizer.beta2};
  }
  return {{"name", c.name},
          {"seed", c.seed},
          {"steps", c.steps},
          {"input", input_to_json(c)},
          {"layers", layers},
          {"surrogate", {{"type", kSurrogates[static_cast<size_t>(c.surrogate.kind)]}, {"slope", c.surrogate.slope}}},
          {"readout", kReadouts[static_cast<size_t>(c.readout)]},
          {"training",
           {{"loss", kLosses[static_cast<size_t>(t.loss)]},
            {"mse_correct_rate", t.correct_rate},
            {"mse_incorrect_rate", t.incorrect_rate},
            {"optimizer", optimizer},
            {"schedule",
             {{"type", kSchedules[static_cast<size_t>(t.schedule)]},
              {"step_epochs", t.step_epochs},
              {"gamma", t.gamma},
              {"min_lr", t.min_lr}}},
            {"batch_size", t.batch_size},
            {"epochs", t.epochs},
            {"train_samples", t.train_samples},
            {"test_samples", t.test_samples},
            {"shuffle", t.shuffle}}}};
}

double scheduled_lr(const LayerTraining& t, uint32_t epoch) {
  const double lr0 = t.optimizer.lr;
  switch (t.schedule) {
    case ScheduleKind::kStep:
      return lr0 * std::pow(static_cast<double>(t.gamma), static_cast<double>(epoch / t.step_epochs));
    case ScheduleKind::kCosine: {
      // PyTorch's CosineAnnealingLR stepped once per epoch, T_max = the number of epochs.
      const double x = t.epochs > 1 ? static_cast<double>(epoch) / static_cast<double>(t.epochs) : 0.0;
      return t.min_lr + (lr0 - t.min_lr) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * x));
    }
    default:
      return lr0;
  }
}

}  // namespace memsnn
