// snn_crossbar: output currents of one crossbar with wire resistance (IR drop) for a list of
// input vectors, read from JSON and written as JSON (docs/crossbar.md). The circuit and
// its conventions are engine/crossbar/circuit.hpp; --spice also writes the circuit as a
// netlist so an independent simulator (ngspice) can check the answer.
//
// Exit status: 0 ok; 1 bad input (file, key, size or value) or unavailable backend;
// 2 bad command line; 3 relaxation did not converge (the output is still written, with
// "converged": false).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <cxxopts.hpp>
#include <nlohmann/json.hpp>

#include "app_main.hpp"
#include "backend/cuda_probe.hpp"
#include "core/error.hpp"
#include "core/json_parse.hpp"
#include "crossbar/crossbar_solve.hpp"
#include "crossbar/spice_netlist.hpp"
#include "io/atomic_file.hpp"
#ifdef MEMSNN_WITH_CUDA
#include "kernels/cuda_crossbar.hpp"
#endif

namespace {

using nlohmann::json;
using namespace memsnn;

constexpr int kExitNotConverged = 3;


// The problem as read from the input file.
struct Problem {
  CrossbarCircuit circuit;
  std::vector<double> g;       // rows x cols [S], row-major
  std::vector<double> inputs;  // count x rows [V]
  size_t count = 0;
};

struct Solution {
  std::vector<double> currents;  // count x cols [A]
  RelaxStats stats;
  bool iterative = false;  // stats mean something (relax, weff)
};

json read_document(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path + ": cannot open the input file");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  json doc;
  const std::string error = parse_json_text(text, doc);
  if (!error.empty()) throw DataError(path + ": " + error);
  return doc;
}

const json& need(const json& doc, const std::string& key, const std::string& src) {
  const auto it = doc.find(key);
  if (it == doc.end()) throw DataError(src + ": missing key '" + key + "'");
  return *it;
}

uint32_t read_size(const json& doc, const std::string& key, const std::string& src) {
  const json& v = need(doc, key, src);
  const double x = v.is_number() ? v.get<double>() : -1.0;
  if (!v.is_number() || x != std::floor(x) || x < 1 || x > 4294967295.0) {
    throw DataError(src + ": key '" + key + "' must be an integer >= 1 (got " + v.dump() + ")");
  }
  return static_cast<uint32_t>(x);
}

double read_resistance(const json& doc, const std::string& key, const std::string& src) {
  const json& v = need(doc, key, src);
  if (!v.is_number() || !(v.get<double>() >= 0.0) || !std::isfinite(v.get<double>())) {
    throw DataError(src + ": key '" + key + "' must be a finite resistance >= 0 ohm (got " + v.dump() + ")");
  }
  return v.get<double>();
}

// `what` names the value in messages, e.g. "G[2][3]".
double read_number(const json& v, const std::string& what, const std::string& src) {
  if (!v.is_number()) throw DataError(src + ": " + what + " must be a number (got " + v.dump() + ")");
  return v.get<double>();
}

// G: a flat list of rows*cols numbers or a list of rows lists of cols numbers. Every size is
// checked against the list in the file before anything is allocated: rows and cols come
// from the file too, and rows x cols (64-bit, no wrap for 32-bit sizes) may be absurd.
std::vector<double> read_conductances(const json& doc, uint32_t rows, uint32_t cols, const std::string& src) {
  const json& v = need(doc, "G", src);
  const uint64_t cells = uint64_t{rows} * cols;
  const std::string shape = std::to_string(rows) + " x " + std::to_string(cols);
  if (!v.is_array()) throw DataError(src + ": key 'G' must be a list (" + shape + " conductances in S)");
  const bool nested = !v.empty() && v.front().is_array();
  if (nested) {
    if (v.size() != rows) {
      throw DataError(src + ": key 'G' has " + std::to_string(v.size()) + " rows, expected rows = " + std::to_string(rows));
    }
    for (uint32_t i = 0; i < rows; ++i) {
      const json& row = v[i];
      if (!row.is_array() || row.size() != cols) {
        throw DataError(src + ": G[" + std::to_string(i) + "] has " + (row.is_array() ? std::to_string(row.size()) : "no") +
                        " values, expected cols = " + std::to_string(cols));
      }
    }
  } else if (v.size() != cells) {
    throw DataError(src + ": key 'G' has " + std::to_string(v.size()) + " values, expected rows x cols = " + shape +
                    " = " + std::to_string(cells));
  }
  // The file holds exactly `cells` values, so this allocation is as large as the input.
  std::vector<double> g;
  g.reserve(static_cast<size_t>(cells));
  if (nested) {
    for (uint32_t i = 0; i < rows; ++i) {
      for (uint32_t j = 0; j < cols; ++j) {
        g.push_back(read_number(v[i][j], "G[" + std::to_string(i) + "][" + std::to_string(j) + "]", src));
      }
    }
  } else {
    for (size_t k = 0; k < cells; ++k) {
      g.push_back(read_number(v[k], "G[" + std::to_string(k / cols) + "][" + std::to_string(k % cols) + "]", src));
    }
  }
  for (size_t k = 0; k < cells; ++k) {
    if (!(g[k] >= 0.0) || !std::isfinite(g[k])) {
      throw DataError(src + ": G[" + std::to_string(k / cols) + "][" + std::to_string(k % cols) + "] = " + json(g[k]).dump() +
                      " S: a conductance must be finite and >= 0");
    }
  }
  return g;
}

Problem read_problem(const json& doc, const std::string& src) {
  if (!doc.is_object()) throw DataError(src + ": the document must be a JSON object");
  Problem p;
  CrossbarCircuit& c = p.circuit;
  c.rows = read_size(doc, "rows", src);
  c.cols = read_size(doc, "cols", src);
  c.r_row = read_resistance(doc, "r_row", src);
  c.r_col = read_resistance(doc, "r_col", src);
  c.r_source = read_resistance(doc, "r_source", src);
  c.r_sense = read_resistance(doc, "r_sense", src);
  p.g = read_conductances(doc, c.rows, c.cols, src);
  const json& in = need(doc, "inputs", src);
  if (!in.is_array() || in.empty() || !in.front().is_array()) {
    throw DataError(src + ": key 'inputs' must be a non-empty list of input vectors, each a list of rows = " +
                    std::to_string(c.rows) + " volts");
  }
  p.count = in.size();
  for (size_t k = 0; k < p.count; ++k) {
    const std::string name = "inputs[" + std::to_string(k) + "]";
    if (!in[k].is_array() || in[k].size() != c.rows) {
      throw DataError(src + ": " + name + " has " + (in[k].is_array() ? std::to_string(in[k].size()) : "no") +
                      " values, expected rows = " + std::to_string(c.rows));
    }
    for (uint32_t i = 0; i < c.rows; ++i) p.inputs.push_back(read_number(in[k][i], name + "[" + std::to_string(i) + "]", src));
  }
  return p;
}

Problem read_problem(const std::string& src) {
  const json doc = read_document(src);
  try {
    return read_problem(doc, src);
  } catch (const json::exception& e) {  // a JSON access not guarded above: still the file's fault
    throw DataError(src + ": " + json_exception_text(e));
  }
}

// The solver functions of one backend (crossbar_solve.hpp's, or kernels/cuda_crossbar.hpp's
// with the same meaning).
struct Solvers {
  RelaxStats (*currents)(const CrossbarCircuit&, std::span<const double>, std::span<const double>, std::span<double>,
                         const CrossbarSolveSpec&);
  RelaxStats (*weff)(const CrossbarCircuit&, std::span<const double>, std::span<double>, const CrossbarSolveSpec&);
};

Solution solve_with(const Solvers& solvers, const Problem& p, const std::string& method,
                    const CrossbarSolveSpec& base) {
  Solution s;
  s.currents.assign(p.count * p.circuit.cols, 0.0);
  CrossbarSolveSpec spec = base;
  if (method == "weff") {
    // W_eff once (relaxation), then every input vector is a matrix-vector product.
    spec.method = CrossbarMethod::kRelax;
    const uint32_t m = p.circuit.rows, n = p.circuit.cols;
    std::vector<double> w(size_t{m} * n);
    s.stats = solvers.weff(p.circuit, p.g, w, spec);
    for (size_t k = 0; k < p.count; ++k) {
      for (uint32_t i = 0; i < m; ++i) {
        const double v = p.inputs[k * m + i];
        for (uint32_t j = 0; j < n; ++j) s.currents[k * n + j] += w[size_t{i} * n + j] * v;
      }
    }
    s.iterative = true;
    return s;
  }
  spec.method = crossbar_method(method);
  s.stats = solvers.currents(p.circuit, p.g, p.inputs, s.currents, spec);
  s.iterative = spec.method == CrossbarMethod::kRelax;
  return s;
}

// The one place a backend is chosen; `backend` is "cpu" or "cuda" ("auto" is resolved
// before).
Solution solve(const std::string& backend, const Problem& p, const std::string& method, const CrossbarSolveSpec& spec) {
  if (backend == "cpu") return solve_with({crossbar_currents, effective_weights}, p, method, spec);
#ifdef MEMSNN_WITH_CUDA
  if (backend == "cuda") {
    const CudaProbe probe = probe_cuda();
    if (probe.devices == 0) throw BackendError("--backend cuda: " + probe.error);
    return solve_with({cuda_crossbar_currents, cuda_effective_weights}, p, method, spec);
  }
#endif
  throw BackendError("--backend " + backend + ": this build has no CUDA crossbar solver; use --backend cpu");
}

// auto: cuda when this build has it and a device answers, else cpu, with a notice.
std::string resolve_backend(const std::string& name) {
  if (name == "cpu" || name == "cuda") return name;
  if (name == "auto") {
    const CudaProbe probe = probe_cuda();
    if (probe.compiled && probe.devices > 0) return "cuda";
    std::fprintf(stderr, "snn_crossbar: --backend auto: using cpu (%s)\n",
                 probe.compiled ? probe.error.c_str() : "this build has no CUDA");
    return "cpu";
  }
  throw UsageError("--backend: unknown name \"" + name + "\"; valid: auto, cpu, cuda");
}

// One input vector per line; every double printed so that it reads back exactly.
std::string output_text(const Solution& s, size_t count, uint32_t cols, const std::string& method,
                        const std::string& backend) {
  std::string out = "{\n  \"method\": " + json(method).dump() + ",\n  \"backend\": " + json(backend).dump() +
                    ",\n  \"currents\": [\n";
  for (size_t k = 0; k < count; ++k) {
    out += "    [";
    for (uint32_t j = 0; j < cols; ++j) out += (j ? ", " : "") + json(s.currents[k * cols + j]).dump();
    out += k + 1 < count ? "],\n" : "]\n";
  }
  out += "  ]";
  if (s.iterative) {
    out += ",\n  \"iterations\": " + std::to_string(s.stats.iterations) + ",\n  \"residual\": " + json(s.stats.residual).dump() +
           ",\n  \"converged\": " + (s.stats.converged ? "true" : "false");
  }
  return out + "\n}\n";
}

int run(const cxxopts::ParseResult& args) {
  if (!args.count("input")) throw UsageError("--input FILE is required (- reads standard input)");
  const std::string method = args["method"].as<std::string>();
  if (method != "direct" && method != "relax" && method != "weff") {
    throw UsageError("--method: unknown method \"" + method + "\"; valid: direct, relax, weff");
  }
  CrossbarSolveSpec spec;
  spec.relax.tol = args["tol"].as<double>();
  spec.relax.max_iterations = args["max-iterations"].as<uint32_t>();
  spec.relax.damping = args["damping"].as<double>();
  try {
    validate_relax_options(spec.relax);
  } catch (const BackendError& e) {
    throw UsageError(e.what());
  }
  spec.tile_rows = args["tile-rows"].as<uint32_t>();
  spec.tile_cols = args["tile-cols"].as<uint32_t>();
  const unsigned threads = args["threads"].as<unsigned>();
  spec.threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  const std::string backend = resolve_backend(args["backend"].as<std::string>());

  const Problem p = read_problem(args["input"].as<std::string>());
  if (args.count("spice")) {
    const std::string path = args["spice"].as<std::string>();
    write_file_atomic(path, spice_netlist(p.circuit, p.g, std::span(p.inputs).first(p.circuit.rows),
                                          "memsnn snn_crossbar: inputs[0]"));
    if (spec.tile_rows || spec.tile_cols) {
      std::fprintf(stderr, "snn_crossbar: note: %s holds the whole array as one crossbar; the tiled currents differ\n",
                   path.c_str());
    }
  }
  const Solution s = solve(backend, p, method, spec);
  const std::string text = output_text(s, p.count, p.circuit.cols, method, backend);
  if (args.count("output")) {
    write_file_atomic(args["output"].as<std::string>(), text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
  if (s.iterative && !s.stats.converged) {
    std::fprintf(stderr,
                 "snn_crossbar: warning: relaxation did not converge in %u sweeps (residual %.3g, tol %.3g); "
                 "raise --max-iterations or lower --damping\n",
                 s.stats.iterations, s.stats.residual, spec.relax.tol);
    return kExitNotConverged;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("snn_crossbar",
                           "Output currents of a crossbar with wire resistance (IR drop) for each input vector. "
                           "Input JSON keys: rows, cols, r_row, r_col, r_source, r_sense (ohm), G (S, rows x cols, "
                           "flat or nested), inputs (list of vectors of rows volts). Exit status 3: not converged.");
  // clang-format off
  options.add_options()
    ("input", "Input JSON file (- for standard input)", cxxopts::value<std::string>())
    ("output", "Output JSON file, written atomically (default: standard output)", cxxopts::value<std::string>())
    ("method", "direct (sparse LDL^T), relax (line relaxation), weff (W_eff by relaxation, then I = W_eff^T V)", cxxopts::value<std::string>()->default_value("relax"))
    ("tol", "Relaxation tolerance on the relative residual", cxxopts::value<double>()->default_value("1e-10"))
    ("max-iterations", "Relaxation sweeps at most", cxxopts::value<uint32_t>()->default_value("200"))
    ("damping", "Relaxation damping in (0, 1]", cxxopts::value<double>()->default_value("1"))
    ("tile-rows", "Rows per array when tiling (0: one array)", cxxopts::value<uint32_t>()->default_value("0"))
    ("tile-cols", "Columns per array when tiling (0: one array)", cxxopts::value<uint32_t>()->default_value("0"))
    ("threads", "CPU threads over input vectors (0 = all cores)", cxxopts::value<unsigned>()->default_value("0"))
    ("backend", "auto, cpu or cuda (auto: cpu with a notice; cuda is not implemented yet)", cxxopts::value<std::string>()->default_value("auto"))
    ("spice", "Also write the circuit with the first input vector as a SPICE netlist (ngspice -b FILE)", cxxopts::value<std::string>())
    ("h,help", "Show this help");
  // clang-format on
  return memsnn::app_main("snn_crossbar", options, argc, argv,
                          [&](const cxxopts::ParseResult& args) { return run(args); });
}
