"""Our FCN: a small convolutional body, 1×1 score layers and skip connections."""

from torch import nn

from onebyone.upsampling import bilinear_upsampler

STRIDE = 8  # three 2×2 poolings: the deepest features are at stride 8


def conv_block(in_channels, out_channels):
    """Two 3×3 convolutions with batch normalisation and ReLU; the size stays."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(),
    )


class FCN(nn.Module):
    """Our FCN. skips=0: "FCN-32s"; 1: "FCN-16s"; 2: "FCN-8s"."""

    def __init__(self, num_classes, skips, widths=(8, 16, 32, 64)):
        super().__init__()
        if skips not in (0, 1, 2):
            raise ValueError(
                f"skips must be 0, 1 or 2 (one per finer stage); got {skips!r}."
            )
        if len(widths) != 4:
            raise ValueError(f"widths needs one entry per stage (4); got {widths}.")
        self.skips = skips
        self.stages = nn.ModuleList(
            conv_block(c_in, c_out)
            for c_in, c_out in zip((1, *widths[:-1]), widths, strict=True)
        )
        self.pool = nn.MaxPool2d(2)
        # 1×1 score layers, deepest first: strides 8, 4, 2
        self.scores = nn.ModuleList(
            nn.Conv2d(w, num_classes, 1) for w in widths[::-1][: skips + 1]
        )
        self.fuse_upsamplers = nn.ModuleList(
            bilinear_upsampler(num_classes, 2) for _ in range(skips)
        )
        self.final_upsampler = bilinear_upsampler(num_classes, STRIDE >> skips)

    def features(self, x):
        """The feature maps of the four stages, at strides 1, 2, 4 and 8."""
        if x.shape[-2] % STRIDE or x.shape[-1] % STRIDE:
            raise ValueError(
                f"height and width must be multiples of {STRIDE}; "
                f"got {tuple(x.shape[-2:])}."
            )
        features = []
        for index, stage in enumerate(self.stages):
            x = stage(x if index == 0 else self.pool(x))
            features.append(x)
        return features

    def score(self, features):
        """Class scores at the input size, from the features of the four stages."""
        deepest_first = features[::-1]
        scores = self.scores[0](deepest_first[0])  # (N, num_classes, H/8, W/8)
        for k in range(self.skips):
            finer = self.scores[k + 1](deepest_first[k + 1])
            scores = self.fuse_upsamplers[k](scores) + finer
        return self.final_upsampler(scores)  # (N, num_classes, H, W)

    def forward(self, x):
        return self.score(self.features(x))
