// DeviceProgrammingUpload: table arrays packed into one device buffer, the view repointed.
#include "kernels/device_programming_upload.hpp"

#include <vector>

namespace memsnn {
namespace {

size_t grid_doubles(const TableGrid& t) {
  return static_cast<size_t>(t.n_g) + static_cast<size_t>(t.n_v) + static_cast<size_t>(t.n_g) * t.n_v;
}

// Appends t's arrays to `packed`; returns their offsets (g, v, values).
struct GridOffsets {
  size_t g = 0, v = 0, values = 0;
};
GridOffsets pack(const TableGrid& t, std::vector<double>& packed) {
  GridOffsets o;
  o.g = packed.size();
  packed.insert(packed.end(), t.g_grid, t.g_grid + t.n_g);
  o.v = packed.size();
  packed.insert(packed.end(), t.v_grid, t.v_grid + t.n_v);
  o.values = packed.size();
  packed.insert(packed.end(), t.values, t.values + static_cast<size_t>(t.n_g) * t.n_v);
  return o;
}

void repoint(TableGrid& t, const double* base, const GridOffsets& o) {
  t.g_grid = base + o.g;
  t.v_grid = base + o.v;
  t.values = base + o.values;
}

}  // namespace

DeviceProgrammingUpload::DeviceProgrammingUpload(const DeviceProgramming& host, cudaStream_t stream) {
  DeviceProgramming copy = host;
  if (host.model.kind == DeviceModelKind::kTable) {
    const TableParams& t = host.model.table;
    if (!t.pot.g_grid || !t.pot.v_grid || !t.pot.values || !t.dep.g_grid || !t.dep.v_grid || !t.dep.values) {
      throw BackendError("a table device without its dG tables cannot be uploaded to the GPU");
    }
    std::vector<double> packed;
    packed.reserve(grid_doubles(t.pot) + grid_doubles(t.dep));
    const GridOffsets pot = pack(t.pot, packed);
    const GridOffsets dep = pack(t.dep, packed);
    m_tables = GpuBuffer<double>(packed.size(), "the device's dG tables");
    m_tables.upload(packed.data(), packed.size(), stream);
    repoint(copy.model.table.pot, m_tables.data(), pot);
    repoint(copy.model.table.dep, m_tables.data(), dep);
  }
  m_programming = GpuBuffer<DeviceProgramming>(1, "the device programming");
  m_programming.upload(&copy, 1, stream);
}

}  // namespace memsnn
