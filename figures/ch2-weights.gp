# ch2-weights.gp: the weights of softmax regression as ten images, one per
# digit (chapter 2): pixel p of image k is w[p, k], red where ink raises digit
# k's score, blue where it lowers it.
# Input: dir/weights.dat (one matrix) and dir/weights_labels.tsv; variable
# wmax, the largest |w|, which sets a colour scale symmetric about zero.
w_px = 660; h_px = 290
load figures.'/common.gp'
if (!exists('wmax') || wmax <= 0) wmax = 1   # all zero: weights that never moved
set size ratio -1
unset key; unset border; unset tics
set palette defined (-1 '#2166ac', 0 '#ffffff', 1 '#b2182b')
set cbrange [-wmax:wmax]
set colorbox vertical user origin 0.90, 0.15 size 0.02, 0.7
set cbtics format '%.2f' font ',9'
set yrange [*:*] reverse
set margins 0, 10, 0, 0
plot dir.'/weights.dat' matrix with image, \
     dir.'/weights_labels.tsv' using 1:2:3 with labels textcolor rgb '#000000' font ',13'
