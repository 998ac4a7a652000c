#include "crossbar/spice_netlist.hpp"

#include <charconv>
#include <cmath>
#include <vector>

#include "core/error.hpp"

namespace memsnn {
namespace {

// Shortest text that reads back as the same double: the netlist loses no precision.
std::string num(double x) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

// Element and node names: prefix<a> or prefix<a>_<b>.
std::string idx(const char* prefix, uint32_t a) {
  std::string s(prefix);
  s += std::to_string(a);
  return s;
}
std::string idx(const char* prefix, uint32_t a, uint32_t b) {
  std::string s = idx(prefix, a);
  s += '_';
  s += std::to_string(b);
  return s;
}

void add_resistor(std::string& out, const std::string& name, const std::string& a, const std::string& b, double ohm) {
  out += name + ' ' + a + ' ' + b + ' ' + num(ohm) + '\n';
}

// Walks one line of the chain: a segment of r > 0 ends at the new node `next`; a
// segment of 0 ohm is a short, so the line stays on the current node.
const std::string& step(std::string& out, std::string& node, const std::string& element, const std::string& next,
                        double r) {
  if (r > 0.0) {
    add_resistor(out, element, node, next, r);
    node = next;
  }
  return node;
}

}  // namespace

std::string spice_current_name(uint32_t col) { return "i(" + idx("vout", col) + ")"; }

std::string spice_netlist(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                          const std::string& title) {
  validate_circuit(c, g);
  if (v.size() != c.rows) {
    throw BackendError("spice netlist: input vector has " + std::to_string(v.size()) + " volts, expected rows = " +
                       std::to_string(c.rows));
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) throw BackendError("spice netlist: input voltage [" + std::to_string(i) + "] is not finite");
  }
  const uint32_t m = c.rows, n = c.cols;
  std::string out;
  out.reserve(static_cast<size_t>(m) * n * 96 + 4096);
  // SPICE takes the first line as the title, whatever it says: keep it on one line.
  std::string first = title.empty() ? "memsnn crossbar" : title;
  for (char& ch : first) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  out += first + '\n';
  out += "* " + std::to_string(m) + " x " + std::to_string(n) + " crossbar (memsnn circuit.hpp): r_row " + num(c.r_row) +
         ", r_col " + num(c.r_col) + ", r_source " + num(c.r_source) + ", r_sense " + num(c.r_sense) + " ohm\n";
  out += "* outputs: i(vout<j>) = current into column j's ground [A]; a 0-ohm element joins its nodes\n";

  // Row i: Vin -> r_source -> r_row -> R(i,0) -> r_row -> R(i,1) ... (right end open).
  std::vector<std::string> row_node(static_cast<size_t>(m) * n), col_node(static_cast<size_t>(m) * n);
  for (uint32_t i = 0; i < m; ++i) {
    std::string node = idx("in", i);
    out += idx("Vin", i) + ' ' + node + " 0 DC " + num(v[i]) + '\n';
    step(out, node, idx("Rsrc", i), idx("d", i), c.r_source);
    for (uint32_t j = 0; j < n; ++j) row_node[size_t{i} * n + j] = step(out, node, idx("Rrow", i, j), idx("r", i, j), c.r_row);
  }
  // Column j, walked up from ground: Vout -> r_sense -> r_col -> C(M-1,j) ... C(0,j).
  for (uint32_t j = 0; j < n; ++j) {
    std::string node = idx("out", j);
    out += idx("Vout", j) + ' ' + node + " 0 DC 0\n";
    step(out, node, idx("Rsense", j), idx("b", j), c.r_sense);
    for (uint32_t i = m; i-- > 0;) col_node[size_t{i} * n + j] = step(out, node, idx("Rcol", i, j), idx("c", i, j), c.r_col);
  }
  for (uint32_t i = 0; i < m; ++i) {
    for (uint32_t j = 0; j < n; ++j) {
      const size_t k = size_t{i} * n + j;
      // A G so small that 1/G overflows carries no current worth writing.
      if (g[k] > 0.0 && std::isfinite(1.0 / g[k])) add_resistor(out, idx("Rcell", i, j), row_node[k], col_node[k], 1.0 / g[k]);
    }
  }

  // Tight tolerances: the circuit is linear, so these only make the convergence check
  // (a second Newton step) strict; they never slow it down.
  out += ".options reltol=1e-9 abstol=1e-18 vntol=1e-12\n";
  out += ".control\nset numdgt=15\nop\n";
  for (uint32_t j = 0; j < n; ++j) out += "print " + spice_current_name(j) + '\n';
  out += "quit\n.endc\n.end\n";  // quit: exit status 0 in batch mode
  return out;
}

}  // namespace memsnn
