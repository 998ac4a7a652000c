// Whether a picture file holds all the bytes its header promises. stb_image fills a short
// BMP or PNM with whatever memory held and decodes a short JPEG without complaint, so a
// truncated file would give a plausible but wrong image; these checks catch it first.
#pragma once

#include <string>
#include <string_view>

namespace memsnn {

// "" when complete (or the format is checked elsewhere: PNG, whose decoder notices a short
// file), else the reason, e.g. "truncated BMP: 1200 of 3126 pixel bytes". A JPEG Huffman
// table with more than 256 codes is refused here too: stb_image would write past its array.
std::string image_truncation(std::string_view bytes);

// The part of image_truncation's findings that stb_image must not see at all, not even its
// header pass (JPEG tables it would overflow, PNM numbers past its int): "" or the reason.
// The rest (a short file) is reported after the size check, which names the sizes.
std::string image_decoder_hazard(std::string_view bytes);

}  // namespace memsnn
