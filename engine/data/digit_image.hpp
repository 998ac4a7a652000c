// A picture of a handwritten digit made into an MNIST image, the way MNIST itself was made
// (LeCun, Cortes & Burges, "The MNIST database of handwritten digits",
// http://yann.lecun.com/exdb/mnist/: "The original black and white (bilevel) images from NIST were
// size normalized to fit in a 20x20 pixel box while preserving their aspect ratio. The resulting
// images contain grey levels as a result of the anti-aliasing technique used by the
// normalization algorithm. the images were centered in a 28x28 image by computing the center
// of mass of the pixels, and translating the image so as to position this point at the center
// of the 28x28 field."):
//   1. ink: MNIST has a light digit on black. When the border is lighter than the picture as a
//      whole, the digit is dark on light and every grey level is inverted.
//   2. background: the border is taken to be background; ink up to its 95th percentile
//      becomes 0 and the brightest ink 255 (a photo's grey paper and faint pencil).
//   3. the bounding box of the remaining ink is area-averaged to 20 pixels on its longer side,
//      the aspect ratio kept;
//   4. placed in 28x28 with its centre of mass (pixel indices weighted by grey level) on
//      pixel (14, 14), the centre the MNIST digits have, by a whole-pixel shift (no blur),
//      limited so that no ink leaves the field.
// An MNIST digit goes through unchanged but for the contrast stretch (its box is already 20
// pixels and centred): the identity is the test that the steps match the original ones.
#pragma once

#include <cstdint>
#include <vector>

#include "io/image_read.hpp"

namespace memsnn {

constexpr int kMnistSide = 28;      // the field
constexpr int kMnistBox = 20;       // the box the digit is scaled into
constexpr double kMnistCentre = 14.0;  // where the centre of mass goes (pixel index, x and y)

struct DigitImage {
  std::vector<uint8_t> pixels;    // kMnistSide x kMnistSide, row-major, ink 255 on 0
  bool inverted = false;          // the picture was dark on light
  int box_x = 0, box_y = 0, box_width = 0, box_height = 0;  // the ink's bounding box in the picture
  int scaled_width = 0, scaled_height = 0;                   // its size in the field
};

// Throws DataError when the picture holds no ink (uniform, or nothing beyond the border's
// grey levels). The caller names the file.
DigitImage mnist_digit(const GreyImage& picture);

// The centre of mass (x, y) of a row-major image, pixel indices weighted by grey level; the
// centre of the grid when the image is black.
void centre_of_mass(const std::vector<uint8_t>& pixels, int width, int height, double& x, double& y);

}  // namespace memsnn
