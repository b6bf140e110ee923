# ch6-activations.gp: chapter 6's three activations and their slopes, one panel
# each, as the chapter's exercises computed them (chapters/06-activations/main.c
# writes dir/activations.tsv: x, then each function and its slope from its
# backward pass). ReLU's slope is drawn in two pieces, with its value at 0 (a
# choice, see ch6.h) as a filled dot and the value it does not take as an open one.
w_px = 900; h_px = 300
load figures.'/common.gp'
file = dir.'/activations.tsv'
set datafile separator tab
set style line 1 lc rgb '#1f5fa8' lw 2          # the function
set style line 2 lc rgb '#d9730d' lw 2 dt 2     # its slope
set xrange [-6:6]
set yrange [-1.15:1.15]
set xtics 2
set ytics 0.5
set grid lc rgb '#dddddd'
set xzeroaxis lc rgb '#999999'
set yzeroaxis lc rgb '#999999'
set xlabel 'x'
set key top left Left reverse samplen 2
set multiplot layout 1, 3
set title 'tanh'
plot file every ::1 using 1:2 with lines ls 1 title 'tanh(x)', \
     '' every ::1 using 1:3 with lines ls 2 title 'slope: 1 - tanh^2'
set title 'sigmoid'
plot file every ::1 using 1:4 with lines ls 1 title 'σ(x)', \
     '' every ::1 using 1:5 with lines ls 2 title 'slope: σ (1 - σ)'
set title 'ReLU'
set yrange [-0.15:2.15]
plot file every ::1 using 1:6 with lines ls 1 title 'max(0, x)', \
     '' every ::1 using 1:($1 < 0 ? $7 : 1/0) with lines ls 2 title 'slope: 0 or 1', \
     '' every ::1 using 1:($1 > 0 ? $7 : 1/0) with lines ls 2 notitle, \
     '' every ::1 using 1:($1 == 0 ? 1 - $7 : 1/0) with points pt 6 ps 0.8 lc rgb '#d9730d' notitle, \
     '' every ::1 using 1:($1 == 0 ? $7 : 1/0) with points pt 7 ps 0.8 lc rgb '#d9730d' notitle
unset multiplot
