// Whether a picture file holds all the bytes its header promises. stb_image fills a short
// BMP or PNM with whatever memory held and decodes a short JPEG without complaint, so a
// truncated file would give a plausible but wrong image; these checks catch it first.
#pragma once

#include <string>
#include <string_view>

namespace memsnn {

// "" when complete, else the reason, e.g. "truncated BMP: 1200 of 3126 pixel bytes". A JPEG
// Huffman table with more than 256 codes, or a scan using a table that no DHT before it
// defines, is refused here too (stb_image would write past its array, or read its
// uninitialised tables), and a PNG chunk longer than the rest of the file (stb_image would first allocate
// the claimed length, up to 2 GB).
std::string image_truncation(std::string_view bytes);

// The part of image_truncation's findings that stb_image must not see at all, not even its
// header pass (JPEG tables it would overflow, PNM numbers past its int, PNG chunk lengths
// past the end): "" or the reason.
// The rest (a short file) is reported after the size check, which names the sizes.
std::string image_decoder_hazard(std::string_view bytes);

// A PNG with its zero-length IDAT chunks left out, or "" when it has none (or is no PNG).
// Empty data chunks are legal and carry nothing, but stb_image (2.27) copies such a chunk
// into its not yet allocated buffer, memcpy(NULL, ..., 0), which is undefined behaviour
// (found by fuzz_image); without them the decoder reads the same image.
std::string png_without_empty_data_chunks(std::string_view bytes);

}  // namespace memsnn
