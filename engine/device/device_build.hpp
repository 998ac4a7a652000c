// Host-side construction of DeviceModel: one maker per model with its parameters checked,
// and finalize_device_model, which derives the constants the per-cell maths reads (NeuroSim's
// A, the Chen rates, G_min/G_max of every model, the nominal pulse weights) once, in double.
#pragma once

#include <string>
#include <vector>

#include "device/device_model.hpp"

namespace memsnn {

// NeuroSim: A / P_max for a nonlinearity label NL (sign kept: negative NL gives negative A).
// Table from the MLP+NeuroSim V3.0 manual, P_max/A interpolated linearly in |NL| with
// NL = 0 -> linear (returns 0, meaning "no A": the linear device). |NL| <= 10.
double neurosim_a_over_pmax(double nl);

// Checks the parameters of m.kind and fills the derived fields. Throws ConfigError naming
// the parameter that is out of range. Every maker below calls it.
void finalize_device_model(DeviceModel& m);

DeviceModel make_ideal_device(double g_min_S, double g_max_S, float step = 0.01f);

// states = P_max for both directions; G_max = 1/R_on, G_min = G_max / on_off.
DeviceModel make_neurosim_device(int states, double nl_ltp, double nl_ltd, double r_on_ohm, double on_off,
                                 double sigma_c2c = 0.0);

// Ascending conductances, 2 .. kMaxDiscreteLevels of them, all > 0.
DeviceModel make_discrete_device(const std::vector<double>& levels_S);
std::vector<double> linear_levels(int count, double g_min_S, double g_max_S);
std::vector<double> geometric_levels(int count, double g_min_S, double g_max_S);
// Resistances in any order -> ascending conductances 1/R.
std::vector<double> levels_from_resistances(const std::vector<double>& r_ohm);

DeviceModel make_chen_gap_device(const ChenGapParams& p = ChenGapParams{});
DeviceModel make_vteam_device(const VteamParams& p = VteamParams{});

const char* device_kind_name(DeviceModelKind kind);  // "ideal", "neurosim", ...

}  // namespace memsnn
