# ch5-pixels.gp: which pixels the trained networks of chapter 5 ignore. One
# 28 x 28 map per run: for each pixel, the share of the hidden units whose
# weight from that pixel is below `limit` in size, from white (none: every
# hidden unit listens to the pixel) to dark (all of them ignore it).
# Input: dir/pixels.dat (one matrix, lib/plot.h's plot_write_grid) and
# dir/pixels_labels.tsv. Variables: n (how many maps), limit (as text).
if (!exists('n')) n = 1
if (!exists('limit')) limit = '0.001'
w_px = 170 * n + 90; h_px = 250
load figures.'/common.gp'
set size ratio -1
unset key; unset border; unset tics
set palette defined (0 '#ffffff', 0.5 '#6baed6', 1 '#08306b')
set cbrange [0:100]
set colorbox vertical user origin 0.92, 0.2 size 0.015, 0.6
set cbtics 25 format '%g%%' font ',9'
set title sprintf('Share of the hidden units whose weight from the pixel is below %s in size', limit) font ',10'
set yrange [*:*] reverse
set lmargin 1; set rmargin 10; set tmargin 2; set bmargin 0
plot dir.'/pixels.dat' matrix with image, \
     dir.'/pixels_labels.tsv' using 1:2:3 with labels textcolor rgb '#000000' font ',10'
