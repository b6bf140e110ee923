// idx.h: reading the IDX files MNIST ships in, raw or gzip-compressed.
//
// An IDX file is a big-endian header followed by unsigned bytes:
//   images: magic 0x00000803, count, rows, cols, then count*rows*cols pixels
//   labels: magic 0x00000801, count, then count labels
// zlib's gzopen reads a plain file and a .gz file alike, so one reader serves both.
#ifndef WB_IDX_H
#define WB_IDX_H

#include <stdint.h>

#include "error.h"

enum { IDX_MAGIC_IMAGES = 0x00000803, IDX_MAGIC_LABELS = 0x00000801 };

//> idx-types
typedef struct {
    int count, rows, cols;  // images, then the size of each
    uint8_t *pixels;        // count * rows * cols, row-major, 0 (paper) to 255 (ink)
} IdxImages;

typedef struct {
    int count;
    uint8_t *labels;  // count labels, each 0..9
} IdxLabels;
//< idx-types

// Reads `path`, or `path.gz` when `path` does not exist. Checks the magic, that
// the dimensions are positive and at most 10,000 pixels on a side, that the
// file holds exactly the bytes the header promises (no less, no more), and for
// labels that each is 0..9. On failure `out` is left empty and err names the
// file and what is wrong.
int idx_read_images(IdxImages *out, const char *path, Error *err);
int idx_read_labels(IdxLabels *out, const char *path, Error *err);

// Checks that images and labels describe the same examples (equal counts).
int idx_check_pair(const IdxImages *im, const char *im_path, const IdxLabels *lb,
                   const char *lb_path, Error *err);

void idx_free_images(IdxImages *im);
void idx_free_labels(IdxLabels *lb);

#endif
