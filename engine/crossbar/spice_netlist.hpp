// The crossbar circuit (circuit.hpp) with one input vector as a SPICE netlist, so any
// result can be checked against an independent circuit simulator: `ngspice -b file.cir`
// prints one line `i(vout<j>) = <amperes>` per output column, to 16 significant digits.
//
// Elements: Vin<i> drives row i; Rsrc<i>, Rrow<i>_<j>, Rcol<i>_<j>, Rsense<j> are the
// source, wire and sense resistances; Rcell<i>_<j> = 1/G[i][j] (a G of 0 is left out);
// Vout<j> is a 0 V source (ammeter) between column j's bottom and ground, so its branch
// current is I[j] with the sign of circuit.hpp (current flowing into ground).
// A zero resistance is an ideal short: the nodes it joins are written as one node, since
// SPICE rejects 0-ohm resistors. The analysis is in a .control block (op, then print):
// a .op line would run again after it in batch mode and dump every device.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "crossbar/circuit.hpp"

namespace memsnn {

// g: M x N conductances [S] row-major, v: M volts. Throws BackendError naming the bad
// size or value (validate_circuit, and v of the wrong length or not finite).
std::string spice_netlist(const CrossbarCircuit& c, std::span<const double> g, std::span<const double> v,
                          const std::string& title = "memsnn crossbar");

// The vector ngspice prints for output column j: "i(vout<j>)".
std::string spice_current_name(uint32_t col);

}  // namespace memsnn
