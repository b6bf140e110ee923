# digits.gp: sixteen training digits with their labels (chapter 1).
# Input: dir/digits.dat (one matrix of pixels, 0..255) and dir/digits_labels.tsv.
w_px = 720; h_px = 240
load figures.'/common.gp'
set size ratio -1
unset key; unset colorbox; unset border; unset tics
set palette gray negative
set cbrange [0:255]
set yrange [*:*] reverse
set margins 0, 0, 0, 0
plot dir.'/digits.dat' matrix with image, \
     dir.'/digits_labels.tsv' using 1:2:3 with labels textcolor rgb '#8e1b10' font ',13'
