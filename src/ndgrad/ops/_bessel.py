"""Bessel functions and their kin for ``torch.special``: J0, J1, Y0, Y1, I0, I1 (plain and
exponentially scaled), K0, K1 (plain and scaled), the spherical j0, Airy's Ai and Hurwitz's zeta.

ndgrad depends on numpy alone, so the values are computed here with the approximations PyTorch
uses (its CPU kernels derive from the Cephes Math Library), in float64 for float64 and in float32
otherwise, so that float32 rounds where PyTorch's float32 kernels round: Chebyshev expansions of
e^-|x| I(x) on [0, 8] and of e^-x √x I(x) on [8, ∞) (and of K on (0, 2] and [2, ∞)); rational
functions for J and Y up to 5 and Hankel's asymptotic form P cos χ - Q sin χ beyond; Ai's power
series for |x| < 2.09 and its asymptotic expansions outside; zeta (in float64 always) by direct
summation and Euler-Maclaurin. The coefficients are published ones; the code is vectorized
numpy. Inputs at the edges (0, negative, ±inf, nan) give what PyTorch gives, including its nan
at +inf for J, Y, I and Ai.

PyTorch 2.13's J0, J1, Y0, Y1 and Ai (x < -2.09) evaluate Cephes' denominators RQ, QQ, YQ, AFD
and AGD without their leading coefficient 1 (which Cephes' p1evl implies), so its values are off
by up to about 1e-6 (J0(5.01) by 4e-7, Y1(5.01) by 9e-7, Ai(-2.1) by 3e-6; 1e-8 at J0(5)). Here
those tables start with their 1, and the values agree with the functions' power series summed
exactly (tests/test_special_bessel.py) to a few ulps: a documented difference from PyTorch, as
the tests' tolerance against it says.

As in PyTorch, i0e, i1, i1e and zeta (in its second argument) are differentiable; the other
functions return tensors that do not require grad.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._kernels import quiet
from .._namespace import public_dir
from .._tensor import Tensor
from ..dtypes import can_cast
from ._util import (
    as_operand,
    call_with_out,
    default_float,
    dtype_name,
    promote_float,
    require_tensor,
)
from .arithmetic import NumpyFunction, where
from .unary import _elementwise

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "airy_ai",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "i0e",
    "i1",
    "i1e",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "spherical_bessel_j0",
    "zeta",
]
__dir__ = public_dir(__name__)

# --- coefficients (Cephes: i0.c, i1.c, k0.c, k1.c, j0.c, j1.c, airy.c), highest order first ----
# Chebyshev series of e^-x I0(x) on [0, 8] (A) and of e^-x √x I0(x) on [8, ∞) (B); the same for I1
# (A is of e^-x I1(x) / x). K0 and K1: of K(x) + log(x/2) I(x) (times x for K1) on (0, 2] (A) and
# of e^x √x K(x) on [2, ∞) (B).
# fmt: off
_I0_A = (
    -4.41534164647933937950e-18, 3.33079451882223809783e-17, -2.43127984654795469359e-16,
    1.71539128555513303061e-15, -1.16853328779934516808e-14, 7.67618549860493561688e-14,
    -4.85644678311192946090e-13, 2.95505266312963983461e-12, -1.72682629144155570723e-11,
    9.67580903537323691224e-11, -5.18979560163526290666e-10, 2.65982372468238665035e-09,
    -1.30002500998624804212e-08, 6.04699502254191894932e-08, -2.67079385394061173391e-07,
    1.11738753912010371815e-06, -4.41673835845875056359e-06, 1.64484480707288970893e-05,
    -5.75419501008210370398e-05, 1.88502885095841655729e-04, -5.76375574538582365885e-04,
    1.63947561694133579842e-03, -4.32430999505057594430e-03, 1.05464603945949983183e-02,
    -2.37374148058994688156e-02, 4.93052842396707084878e-02, -9.49010970480476444210e-02,
    1.71620901522208775349e-01, -3.04682672343198398683e-01, 6.76795274409476084995e-01,
)
_I0_B = (
    -7.23318048787475395456e-18, -4.83050448594418207126e-18, 4.46562142029675999901e-17,
    3.46122286769746109310e-17, -2.82762398051658348494e-16, -3.42548561967721913462e-16,
    1.77256013305652638360e-15, 3.81168066935262242075e-15, -9.55484669882830764870e-15,
    -4.15056934728722208663e-14, 1.54008621752140982691e-14, 3.85277838274214270114e-13,
    7.18012445138366623367e-13, -1.79417853150680611778e-12, -1.32158118404477131188e-11,
    -3.14991652796324136454e-11, 1.18891471078464383424e-11, 4.94060238822496958910e-10,
    3.39623202570838634515e-09, 2.26666899049817806459e-08, 2.04891858946906374183e-07,
    2.89137052083475648297e-06, 6.88975834691682398426e-05, 3.36911647825569408990e-03,
    8.04490411014108831608e-01,
)
_I1_A = (
    2.77791411276104639959e-18, -2.11142121435816608115e-17, 1.55363195773620046921e-16,
    -1.10559694773538630805e-15, 7.60068429473540693410e-15, -5.04218550472791168711e-14,
    3.22379336594557470981e-13, -1.98397439776494371520e-12, 1.17361862988909016308e-11,
    -6.66348972350202774223e-11, 3.62559028155211703701e-10, -1.88724975172282928790e-09,
    9.38153738649577178388e-09, -4.44505912879632808065e-08, 2.00329475355213526229e-07,
    -8.56872026469545474066e-07, 3.47025130813767847674e-06, -1.32731636560394358279e-05,
    4.78156510755005422638e-05, -1.61760815825896745588e-04, 5.12285956168575772895e-04,
    -1.51357245063125314899e-03, 4.15642294431288815669e-03, -1.05640848946261981558e-02,
    2.47264490306265168283e-02, -5.29459812080949914269e-02, 1.02643658689847095384e-01,
    -1.76416518357834055153e-01, 2.52587186443633654823e-01,
)
_I1_B = (
    7.51729631084210481353e-18, 4.41434832307170791151e-18, -4.65030536848935832153e-17,
    -3.20952592199342395980e-17, 2.96262899764595013876e-16, 3.30820231092092828324e-16,
    -1.88035477551078244854e-15, -3.81440307243700780478e-15, 1.04202769841288027642e-14,
    4.27244001671195135429e-14, -2.10154184277266431302e-14, -4.08355111109219731823e-13,
    -7.19855177624590851209e-13, 2.03562854414708950722e-12, 1.41258074366137813316e-11,
    3.25260358301548823856e-11, -1.89749581235054123450e-11, -5.58974346219658380687e-10,
    -3.83538038596423702205e-09, -2.63146884688951950684e-08, -2.51223623787020892529e-07,
    -3.88256480887769039346e-06, -1.10588938762623716291e-04, -9.76109749136146840777e-03,
    7.78576235018280120474e-01,
)
_K0_A = (
    1.37446543561352307156e-16, 4.25981614279661018399e-14, 1.03496952576338420167e-11,
    1.90451637722020886025e-09, 2.53479107902614945675e-07, 2.28621210311945178607e-05,
    1.26461541144692592338e-03, 3.59799365153615016266e-02, 3.44289899924628486886e-01,
    -5.35327393233902768720e-01,
)
_K0_B = (
    5.30043377268626276149e-18, -1.64758043015242134646e-17, 5.21039150503902756861e-17,
    -1.67823109680541210385e-16, 5.51205597852431940784e-16, -1.84859337734377901440e-15,
    6.34007647740507060557e-15, -2.22751332699166985548e-14, 8.03289077536357521100e-14,
    -2.98009692317273043925e-13, 1.14034058820847496303e-12, -4.51459788337394416547e-12,
    1.85594911495471785253e-11, -7.95748924447710747776e-11, 3.57739728140030116597e-10,
    -1.69753450938905987466e-09, 8.57403401741422608519e-09, -4.66048989768794782956e-08,
    2.76681363944501510342e-07, -1.83175552271911948767e-06, 1.39498137188764993662e-05,
    -1.28495495816278026384e-04, 1.56988388573005337491e-03, -3.14481013119645005427e-02,
    2.44030308206595545468e+00,
)
_K1_A = (
    -7.02386347938628759343e-18, -2.42744985051936593393e-15, -6.66690169419932900609e-13,
    -1.41148839263352776110e-10, -2.21338763073472585583e-08, -2.43340614156596823496e-06,
    -1.73028895751305206302e-04, -6.97572385963986435018e-03, -1.22611180822657148235e-01,
    -3.53155960776544875667e-01, 1.52530022733894777053e+00,
)
_K1_B = (
    -5.75674448366501715755e-18, 1.79405087314755922667e-17, -5.68946255844285935196e-17,
    1.83809354436663880070e-16, -6.05704724837331885336e-16, 2.03870316562433424052e-15,
    -7.01983709041831346144e-15, 2.47715442448130437068e-14, -8.97670518232499435011e-14,
    3.34841966607842919884e-13, -1.28917396095102890680e-12, 5.13963967348173025100e-12,
    -2.12996783842756842877e-11, 9.21831518760500529508e-11, -4.19035475934189648750e-10,
    2.01504975519703286596e-09, -1.03457624656780970260e-08, 5.74108412545004946722e-08,
    -3.50196060308781257119e-07, 2.40648494783721712015e-06, -1.93619797416608296024e-05,
    1.95215518471351631108e-04, -2.85781685962277938680e-03, 1.03923736576817238437e-01,
    2.72062619048444266945e+00,
)
_J0_PP = (
    7.96936729297347051624e-04, 8.28352392107440799803e-02, 1.23953371646414299388e+00,
    5.44725003058768775090e+00, 8.74716500199817011941e+00, 5.30324038235394892183e+00,
    9.99999999999999997821e-01,
)
_J0_PQ = (
    9.24408810558863637013e-04, 8.56288474354474431428e-02, 1.25352743901058953537e+00,
    5.47097740330417105182e+00, 8.76190883237069594232e+00, 5.30605288235394617618e+00,
    1.00000000000000000218e+00,
)
_J0_QP = (
    -1.13663838898469149931e-02, -1.28252718670509318512e+00, -1.95539544257735972385e+01,
    -9.32060152123768231369e+01, -1.77681167980488050595e+02, -1.47077505154951170175e+02,
    -5.14105326766599330220e+01, -6.05014350600728481186e+00,
)
_J0_QQ = (  # Cephes: the leading 1 (p1evl)
    1.0,
    6.43178256118178023184e+01, 8.56430025976980587198e+02, 3.88240183605401609683e+03,
    7.24046774195652478189e+03, 5.93072701187316984827e+03, 2.06209331660327847417e+03,
    2.42005740240291393179e+02,
)
_J0_RP = (
    -4.79443220978201773821e+09, 1.95617491946556577543e+12, -2.49248344360967716204e+14,
    9.70862251047306323952e+15,
)
_J0_RQ = (  # Cephes: the leading 1 (p1evl)
    1.0,
    4.99563147152651017219e+02, 1.73785401676374683123e+05, 4.84409658339962045305e+07,
    1.11855537045356834862e+10, 2.11277520115489217587e+12, 3.10518229857422583814e+14,
    3.18121955943204943306e+16, 1.71086294081043136091e+18,
)
_Y0_YP = (
    1.55924367855235737965e+04, -1.46639295903971606143e+07, 5.43526477051876500413e+09,
    -9.82136065717911466409e+11, 8.75906394395366999549e+13, -3.46628303384729719441e+15,
    4.42733268572569800351e+16, -1.84950800436986690637e+16,
)
_Y0_YQ = (  # Cephes: the leading 1 (p1evl)
    1.0,
    1.04128353664259848412e+03, 6.26107330137134956842e+05, 2.68919633393814121987e+08,
    8.64002487103935000337e+10, 2.02979612750105546709e+13, 3.17157752842975028269e+15,
    2.50596256172653059228e+17,
)
_J1_PP = (
    7.62125616208173112003e-04, 7.31397056940917570436e-02, 1.12719608129684925192e+00,
    5.11207951146807644818e+00, 8.42404590141772420927e+00, 5.21451598682361504063e+00,
    1.00000000000000000254e+00,
)
_J1_PQ = (
    5.71323128072548699714e-04, 6.88455908754495404082e-02, 1.10514232634061696926e+00,
    5.07386386128601488557e+00, 8.39985554327604159757e+00, 5.20982848682361821619e+00,
    9.99999999999999997461e-01,
)
_J1_QP = (
    5.10862594750176621635e-02, 4.98213872951233449420e+00, 7.58238284132545283818e+01,
    3.66779609360150777800e+02, 7.10856304998926107277e+02, 5.97489612400613639965e+02,
    2.11688757100572135698e+02, 2.52070205858023719784e+01,
)
_J1_QQ = (  # Cephes: the leading 1 (p1evl)
    1.0,
    7.42373277035675149943e+01, 1.05644886038262816351e+03, 4.98641058337653607651e+03,
    9.56231892404756170795e+03, 7.99704160447350683650e+03, 2.82619278517639096600e+03,
    3.36093607810698293419e+02,
)
_J1_RP = (
    -8.99971225705559398224e+08, 4.52228297998194034323e+11, -7.27494245221818276015e+13,
    3.68295732863852883286e+15,
)
_J1_RQ = (  # Cephes: the leading 1 (p1evl)
    1.0,
    6.20836478118054335476e+02, 2.56987256757748830383e+05, 8.35146791431949253037e+07,
    2.21511595479792499675e+10, 4.74914122079991414898e+12, 7.84369607876235854894e+14,
    8.95222336184627338078e+16, 5.32278620332680085395e+18,
)
_Y1_YP = (
    1.26320474790178026440e+09, -6.47355876379160291031e+11, 1.14509511541823727583e+14,
    -8.12770255501325109621e+15, 2.02439475713594898196e+17, -7.78877196265950026825e+17,
)
_Y1_YQ = (  # Cephes: the leading 1 (p1evl)
    1.0,
    5.94301592346128195359e+02, 2.35564092943068577943e+05, 7.34811944459721705660e+07,
    1.87601316108706159478e+10, 3.88231277496238566008e+12, 6.20557727146953693363e+14,
    6.87141087355300489866e+16, 3.97270608116560655612e+18,
)
_AI_AN = (
    3.46538101525629032477e-01, 1.20075952739645805542e+01, 7.62796053615234516538e+01,
    1.68089224934630576269e+02, 1.59756391350164413639e+02, 7.05360906840444183113e+01,
    1.40264691163389668864e+01, 9.99999999999999995305e-01,
)
_AI_AD = (
    5.67594532638770212846e-01, 1.47562562584847203173e+01, 8.45138970141474626562e+01,
    1.77318088145400459522e+02, 1.64234692871529701831e+02, 7.14778400825575695274e+01,
    1.40959135607834029598e+01, 1.00000000000000000470e+00,
)
_AI_AFN = (
    -1.31696323418331795333e-01, -6.26456544431912369773e-01, -6.93158036036933542233e-01,
    -2.79779981545119124951e-01, -4.91900132609500318020e-02, -4.06265923594885404393e-03,
    -1.59276496239262096340e-04, -2.77649108155232920844e-06, -1.67787698489114633780e-08,
)
_AI_AFD = (  # Cephes: the leading 1 (p1evl)
    1.0,
    1.33560420706553243746e+01, 3.26825032795224613948e+01, 2.67367040941499554804e+01,
    9.18707402907259625840e+00, 1.47529146771666414581e+00, 1.15687173795188044134e-01,
    4.40291641615211203805e-03, 7.54720348287414296618e-05, 4.51850092970580378464e-07,
)
_AI_AGN = (
    1.97339932091685679179e-02, 3.91103029615688277255e-01, 1.06579897599595591108e+00,
    9.39169229816650230044e-01, 3.51465656105547619242e-01, 6.33888919628925490927e-02,
    5.85804113048388458567e-03, 2.82851600836737019778e-04, 6.98793669997260967291e-06,
    8.11789239554389293311e-08, 3.41551784765923618484e-10,
)
_AI_AGD = (  # Cephes: the leading 1 (p1evl)
    1.0,
    9.30892908077441974853e+00, 1.98352928718312140417e+01, 1.55646628932864612953e+01,
    5.47686069422975497931e+00, 9.54293611618961883998e-01, 8.64580826352392193095e-02,
    4.12656523824222607191e-03, 1.01259085116509135510e-04, 1.17166733214413521882e-06,
    4.91834570062930015649e-09,
)
# fmt: on

# J0 and J1 up to 5: (x² - j₁²)(x² - j₂²) RP(x²)/RQ(x²) (times x for J1), j₁ and j₂ their first
# two zeros (the factor keeps the relative error small there); beyond 5, Hankel's form
# √(2/(πx)) (P cos χ - (5/x) Q sin χ), χ = x - π/4 (3π/4 for J1), P = PP/PQ and Q = QP/QQ
# in 25/x². Y0 up to 5: YP/YQ(x²) + (2/π) log(x) J0(x); Y1: x YP/YQ(x²) + (2/π)(J1 log x - 1/x).
_HANKEL_TABLES = ((_J0_PP, _J0_PQ, _J0_QP, _J0_QQ), (_J1_PP, _J1_PQ, _J1_QP, _J1_QQ))
_J0_ZEROS_SQUARED = (5.78318596294678452118e00, 3.04712623436620863991e01)
_J1_ZEROS_SQUARED = (1.46819706421238932572e01, 4.92184563216946036703e01)
_SQRT_2_OVER_PI = 0.797884560802865355879892119868763737
_TWO_OVER_PI = 0.636619772367581343075535053490057448
_QUARTER_PI = 0.785398163397448309615660845819875721
_THREE_QUARTER_PI = 2.356194490192344928846982537459627163
_ONE_OVER_SQRT_PI = 5.64189583547756286948e-01
# Ai(0) and -Ai'(0)
_AI_0, _AI_PRIME_0 = 0.355028053887817239260, 0.258819403792806798405
# (2k)! / B_2k, the Euler-Maclaurin coefficients of zeta.
# fmt: off
_ZETA_A = (
    12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9, 7.47242496e10,
    -2.950130727918164224e12, 1.1646782814350067249e14, -4.5979787224074726105e15,
    1.8152105401943546773e17, -7.1661652561756670113e18,
)
# fmt: on
_MACHEP = 1.11022302462515654042e-16


# --- numerics on float64 arrays ------------------------------------------------------------------


def _chebyshev(t: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    """Σ' c_k T_k(t/2), by Clenshaw's recurrence (Cephes' chbevl)."""
    b0, b1, b2 = np.full_like(t, coeffs[0]), np.zeros_like(t), np.zeros_like(t)
    for c in coeffs[1:]:
        b2, b1 = b1, b0
        b0 = t * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _polynomial(t: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    """Σ c_k t^(n-k) by Horner's rule."""
    out = np.zeros_like(t)
    for c in coeffs:
        out = out * t + c
    return out


def _odd(x: np.ndarray, value: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """An odd function from its values at |x| (-0 keeps its sign)."""
    negative = x < 0
    y = value(np.where(negative, -x, x))
    return np.where(negative, -y, y)


def _i0_values(x: np.ndarray, scaled: bool) -> np.ndarray:
    v = np.abs(x)
    small = _chebyshev(v / 2 - 2, _I0_A)
    large = _chebyshev(32 / v - 2, _I0_B)
    if not scaled:
        e = np.exp(v)
        small, large = e * small, e * large
    return np.where(v <= 8, small, large / np.sqrt(v))


def _i1_values(x: np.ndarray, scaled: bool) -> np.ndarray:
    def at(v: np.ndarray) -> np.ndarray:
        small = _chebyshev(v / 2 - 2, _I1_A)
        large = _chebyshev(32 / v - 2, _I1_B)
        if scaled:
            small = small * v
        else:
            e = np.exp(v)
            small, large = e * v * small, e * large
        return np.where(v <= 8, small, large / np.sqrt(v))

    y = at(np.abs(x))  # -0 gives +0, as in PyTorch
    return np.where(x < 0, -y, y)


def _k_values(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """K0 or K1 (times e^x when scaled): inf at ±0, nan below 0."""
    if order == 0:
        # PyTorch's unscaled K0 takes this logarithm in float64 for float32 too (its 0.5 is a
        # double): a subnormal x gives a finite K0, not the inf of log(0).
        log_half = np.log(0.5 * x.astype(np.float64)) if not scaled else np.log(0.5 * x)
        series = _chebyshev(x * x - 2, _K0_A)
        near = (series - log_half * _i0_values(x, False)).astype(x.dtype)
        far = _chebyshev(8 / x - 2, _K0_B)
    else:
        i1_x = _i1_values(x, False)
        near = np.log(0.5 * x) * i1_x + _chebyshev(x * x - 2, _K1_A) / x
        far = _chebyshev(8 / x - 2, _K1_B)
    if scaled:
        near = near * np.exp(x)
    else:
        far = np.exp(-x) * far
    out = np.where(x <= 2, near, far / np.sqrt(x))
    out = np.where(x < 0, np.nan, out)
    return np.where(x == 0, np.inf, out)


def _hankel(v: np.ndarray, w: np.ndarray, order: int, second_kind: bool) -> np.ndarray:
    """√(2/(πv)) (P cos χ - (5/v) Q sin χ) for J (P sin χ + (5/v) Q cos χ for Y), w = 25/v²."""
    pp, pq, qp, qq = _HANKEL_TABLES[order]
    p = _polynomial(w, pp) / _polynomial(w, pq)
    q = 5.0 / v * (_polynomial(w, qp) / _polynomial(w, qq))
    chi = v - (_QUARTER_PI if order == 0 else _THREE_QUARTER_PI)
    sin, cos = np.sin(chi), np.cos(chi)
    wave = p * sin + q * cos if second_kind else p * cos - q * sin
    return wave * _SQRT_2_OVER_PI / np.sqrt(v)


def _j0_values(x: np.ndarray) -> np.ndarray:
    v = np.abs(x)
    v2 = v * v
    z1, z2 = _J0_ZEROS_SQUARED
    small = (v2 - z1) * (v2 - z2) * _polynomial(v2, _J0_RP) / _polynomial(v2, _J0_RQ)
    small = np.where(v < 1e-5, 1.0 - v2 / 4.0, small)
    return np.where(v <= 5, small, _hankel(v, 25.0 / v2, 0, False))


def _j1_at(v: np.ndarray) -> np.ndarray:
    v2 = v * v
    z1, z2 = _J1_ZEROS_SQUARED
    small = _polynomial(v2, _J1_RP) / _polynomial(v2, _J1_RQ) * v * (v2 - z1) * (v2 - z2)
    w = 5.0 / v * (5.0 / v)
    return np.where(v <= 5, small, _hankel(v, w, 1, False))


def _j1_values(x: np.ndarray) -> np.ndarray:
    return _odd(x, _j1_at)


def _y_edges(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """-inf at ±0, nan below 0."""
    return np.where(x == 0, -np.inf, np.where(x < 0, np.nan, out))


def _y0_values(x: np.ndarray) -> np.ndarray:
    x2 = x * x
    small = _polynomial(x2, _Y0_YP) / _polynomial(x2, _Y0_YQ)
    small = small + _TWO_OVER_PI * np.log(x) * _j0_values(x)
    return _y_edges(x, np.where(x <= 5, small, _hankel(x, 25.0 / x2, 0, True)))


def _y1_values(x: np.ndarray) -> np.ndarray:
    x2 = x * x
    small = x * (_polynomial(x2, _Y1_YP) / _polynomial(x2, _Y1_YQ))
    small = small + _TWO_OVER_PI * (_j1_at(x) * np.log(x) - 1.0 / x)
    w = 5.0 / x * (5.0 / x)
    return _y_edges(x, np.where(x <= 5, small, _hankel(x, w, 1, True)))


def _airy_series(x: np.ndarray) -> np.ndarray:
    """Ai(x) = Ai(0) f(x) - |Ai'(0)| g(x), f and g the power series of Airy's equation, summed
    until a term of f is below the float64 epsilon relative to f (each element on its own)."""
    f, g = np.ones_like(x), x.copy()
    m, n = np.ones_like(x), x.copy()
    z = x * x * x
    k = 1.0
    active = np.ones(x.shape, bool)
    eps = np.finfo(x.dtype).eps
    while active.any():
        k2, k3, k4 = k + 1, k + 2, k + 3
        m_next = m * z / k2 / k3
        n_next = n * z / k3 / k4
        f = np.where(active, f + m_next, f)
        g = np.where(active, g + n_next, g)
        m, n = np.where(active, m_next, m), np.where(active, n_next, n)
        active = active & (np.abs(m / f) > eps)
        k = k4
    return _AI_0 * f - _AI_PRIME_0 * g


def _airy_values(x: np.ndarray) -> np.ndarray:
    # x < -2.09: Ai(x) = |x|^(-1/4)/√π (sin θ (1 + z² F(z²)) - cos θ z G(z²)), ζ = 2|x|^1.5/3,
    # z = 1/ζ, θ = ζ + π/4.
    zeta = -2.0 * x * np.sqrt(-x) / 3.0
    z = 1.0 / zeta
    z2 = z * z
    f = _polynomial(z2, _AI_AFN) / _polynomial(z2, _AI_AFD)
    g = _polynomial(z2, _AI_AGN) / _polynomial(z2, _AI_AGD)
    theta = zeta + 0.25 * math.pi
    wave = np.sin(theta) * (1.0 + z2 * f) - np.cos(theta) * (z * g)
    oscillating = _ONE_OVER_SQRT_PI / np.sqrt(np.sqrt(-x)) * wave
    # x >= 2.09: Ai(x) = e^-ζ / (2√π x^(1/4)) AN/AD(1/ζ), ζ = 2x^1.5/3.
    zeta = 2.0 * x * np.sqrt(x) / 3.0
    ratio = _polynomial(1.0 / zeta, _AI_AN) / _polynomial(1.0 / zeta, _AI_AD)
    decaying = _ONE_OVER_SQRT_PI * ratio / (2.0 * np.sqrt(np.sqrt(x)) * np.exp(zeta))
    outside = (x < -2.09) | (x >= 2.09)  # not nan: the series makes it nan
    series = _airy_series(np.where(outside, 0.0, x))
    out = np.where(x < -2.09, oscillating, np.where(x >= 2.09, decaying, series))
    out = np.where(x > 103.892, 0.0, out)
    return np.where(np.isinf(x), np.nan, out)


def _spherical_j0_values(x: np.ndarray) -> np.ndarray:
    x2 = x * x
    series = 1.0 / 6227020800.0
    for c in (-1.0 / 39916800.0, 1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0):
        series = c + x2 * series
    series = 1.0 + x2 * series
    out = np.where(np.abs(x) < 0.5, series, np.sin(x) / x)
    return np.where(np.isinf(x), 0.0, out)


def _zeta_values(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(x, q) = Σ_k (q + k)^-x: the first terms summed directly (at least 9 of them, and until
    q + k > 9), the rest by Euler-Maclaurin, each element stopping where PyTorch's loop stops.
    inf at x = 1, nan for x < 1; for q <= 0, inf at integer q, nan for non-integer x."""
    x, q = np.broadcast_arrays(x, q)
    q_pole = (q <= 0) & (q == np.floor(q))
    edge = np.where(q_pole, np.inf, np.nan)
    edge = np.where(x < 1, np.nan, np.where(x == 1, np.inf, edge))
    # the values above are decided without the sums (q = -inf would never reach 9)
    decided = (x <= 1) | q_pole | ((q <= 0) & (x != np.floor(x)))
    s = np.power(q, -x)
    a, b = q.copy(), np.zeros_like(s)
    done = decided.copy()
    running = ~decided
    i = 0
    while True:
        running = running & ((i < 9) | (a <= 9.0))
        if not running.any():
            break
        i += 1
        a = np.where(running, a + 1.0, a)
        b = np.where(running, np.power(a, -x), b)
        s = np.where(running, s + b, s)
        small = running & (-_MACHEP * s < b) & (b < _MACHEP * s)
        done |= small
        running &= ~small
    active = ~done
    w = a
    s = np.where(active, s + b * w / (x - 1.0) - 0.5 * b, s)
    rising, k = np.ones_like(s), 0.0
    for coeff in _ZETA_A:
        rising = rising * (x + k)
        b = b / w
        t = rising * b / coeff
        s = np.where(active, s + t, s)
        active = active & ~(np.abs(t / s) < _MACHEP)
        k += 1.0
        rising = rising * (x + k)
        b = b / w
        k += 1.0
    return np.where(decided, edge, s)


def _computed(
    values: Callable[[np.ndarray], np.ndarray], x: np.ndarray, dtype: np.dtype
) -> np.ndarray:
    """``values`` of x as ``dtype``, computed in float64 for float64 and in float32 otherwise
    (float16 too), as PyTorch computes them, without numpy's warnings (overflow to inf and nan
    are the results PyTorch gives)."""
    work = np.float64 if dtype == np.float64 else np.float32
    return quiet(lambda: np.asarray(values(x.astype(work))).astype(dtype))


# --- the differentiable ones: i0e, i1, i1e ----------------------------------------------------


class SpecialI0E(NumpyFunction):
    """y = e^-|x| I₀(x); dy/dx = i1e(x) - sgn(x) y"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = _computed(lambda v: _i0_values(v, True), x, x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, y = ctx.saved_tensors
        return grad * (SpecialI1E.apply(x) - x.sgn() * y)


def _tiny_safe(x: Tensor) -> tuple[Tensor, Tensor]:
    """|x| > eps, and x with eps where it is not: PyTorch's i1 and i1e backward take the limit
    1/2 there, and keep the division away from 0 so that the unused branch is not nan."""
    eps = float(np.finfo(x._data.dtype).eps)
    not_tiny = (x.abs() > eps).detach()
    return not_tiny, where(not_tiny, x, eps)


def _no_half_backward(x: Tensor, kernel: str) -> None:
    """PyTorch's backward kernels of i1 and i1e have no float16 version."""
    if x._data.dtype == np.float16:
        raise _errors.not_implemented(kernel, x._data.dtype)


class I0(NumpyFunction):
    """y = I₀(x), torch.i0 (numpy's np.i0, from the same Cephes expansions); dy/dx = I₁(x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        # inf beyond |x| ≈ 713, as in PyTorch; float16 computes in float32, as PyTorch's
        # kernel does (np.i0 in float16 overflows in its intermediate terms from |x| ≈ 11)
        v = x.astype(np.float32) if x.dtype == np.float16 else x
        return quiet(lambda: np.i0(v).astype(x.dtype))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * SpecialI1.apply(x)  # PyTorch's formula: grad * special_i1(self)


class SpecialI1(NumpyFunction):
    """y = I₁(x); dy/dx = I₀(x) - y/x, 1/2 where |x| <= eps (and at nan)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = _computed(lambda v: _i1_values(v, False), x, x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, y = ctx.saved_tensors
        _no_half_backward(x, "i1_backward")
        not_tiny, safe = _tiny_safe(x)
        return grad * where(not_tiny, I0.apply(safe) - y * safe.reciprocal(), 0.5)


class SpecialI1E(NumpyFunction):
    """y = e^-|x| I₁(x); dy/dx = i0e(x) - y (sgn(x) + 1/x), 1/2 where |x| <= eps (and at nan)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = _computed(lambda v: _i1_values(v, True), x, x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, y = ctx.saved_tensors
        _no_half_backward(x, "i1e_backward")
        not_tiny, safe = _tiny_safe(x)
        slope = SpecialI0E.apply(safe) - y * (safe.sgn() + safe.reciprocal())
        return grad * where(not_tiny, slope, 0.5)


def _named(op: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


i0e = _named(
    _elementwise(SpecialI0E, "special_i0e"),
    "i0e",
    "e^-|input| I₀(input), the exponentially scaled modified Bessel function of order 0.",
)
i1 = _named(
    _elementwise(SpecialI1, "special_i1"),
    "i1",
    "I₁(input), the modified Bessel function of the first kind of order 1.",
)
i1e = _named(
    _elementwise(SpecialI1E, "special_i1e"),
    "i1e",
    "e^-|input| I₁(input), the exponentially scaled modified Bessel function of order 1.",
)


# --- the others: values only, as in PyTorch (the result does not require grad) -----------------


def _values_only(
    name: str, arg: str, values: Callable[[np.ndarray], np.ndarray], doc: str
) -> Callable[..., Tensor]:
    """``torch.special.<name>(input, *, out=None)``: a float result (integers give the default
    float dtype; float16 is refused as PyTorch refuses it) that is outside the graph."""
    qualified = f"special_{name}"

    def op(input: Any, *, out: Any = None) -> Tensor:
        if out is not None:
            if isinstance(input, Tensor) and isinstance(out, Tensor):
                # the cast to out's dtype is checked before the kernel (and its float16 error)
                dt = input._data.dtype if input._data.dtype.kind == "f" else default_float()
                if not can_cast(dt, out._data.dtype):
                    raise _errors.cannot_cast(dt, out._data.dtype)
            return call_with_out(qualified, op, (input,), out)
        require_tensor(input, qualified, arg)
        data = input._data
        dt = data.dtype if data.dtype.kind == "f" else default_float()
        if dt.itemsize < 4:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dtype_name(dt)}'")
        return Tensor._make(_computed(values, data, dt))

    return _named(op, name, doc)


airy_ai = _values_only(
    "airy_ai", "x", _airy_values, "Ai(x), the Airy function of the first kind (nan at ±inf)."
)
bessel_j0 = _values_only(
    "bessel_j0",
    "input",
    _j0_values,
    "J₀(input), the Bessel function of the first kind of order 0.",
)
bessel_j1 = _values_only(
    "bessel_j1",
    "input",
    _j1_values,
    "J₁(input), the Bessel function of the first kind of order 1.",
)
bessel_y0 = _values_only(
    "bessel_y0",
    "input",
    _y0_values,
    "Y₀(input), the Bessel function of the second kind of order 0 (-inf at 0, nan below).",
)
bessel_y1 = _values_only(
    "bessel_y1",
    "input",
    _y1_values,
    "Y₁(input), the Bessel function of the second kind of order 1 (-inf at 0, nan below).",
)
modified_bessel_i0 = _values_only(
    "modified_bessel_i0",
    "input",
    lambda v: _i0_values(v, False),
    "I₀(input), the modified Bessel function of the first kind of order 0.",
)
modified_bessel_i1 = _values_only(
    "modified_bessel_i1",
    "input",
    lambda v: _i1_values(v, False),
    "I₁(input), the modified Bessel function of the first kind of order 1.",
)
modified_bessel_k0 = _values_only(
    "modified_bessel_k0",
    "input",
    lambda v: _k_values(v, 0, False),
    "K₀(input), the modified Bessel function of the second kind of order 0 (inf at 0).",
)
modified_bessel_k1 = _values_only(
    "modified_bessel_k1",
    "input",
    lambda v: _k_values(v, 1, False),
    "K₁(input), the modified Bessel function of the second kind of order 1 (inf at 0).",
)
scaled_modified_bessel_k0 = _values_only(
    "scaled_modified_bessel_k0",
    "x",
    lambda v: _k_values(v, 0, True),
    "e^x K₀(x), the exponentially scaled modified Bessel function of the second kind.",
)
scaled_modified_bessel_k1 = _values_only(
    "scaled_modified_bessel_k1",
    "x",
    lambda v: _k_values(v, 1, True),
    "e^x K₁(x), the exponentially scaled modified Bessel function of the second kind.",
)
spherical_bessel_j0 = _values_only(
    "spherical_bessel_j0",
    "x",
    lambda v: _spherical_j0_values(v),
    "j₀(x) = sin(x)/x, the spherical Bessel function of the first kind of order 0.",
)


# --- zeta ---------------------------------------------------------------------------------------

_ZETA_SIGNATURES = (
    "special_zeta() received an invalid combination of arguments - got ({}), but expected one "
    "of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
    " * (Number self, Tensor other, *, Tensor out = None)\n"
    " * (Tensor input, Number other, *, Tensor out = None)\n"
)


class SpecialZeta(NumpyFunction):
    """y = ζ(x, q) = Σ_k (q + k)^-x, the Hurwitz zeta function; dy/dq = -x ζ(x + 1, q) (no
    derivative in x, as in PyTorch)"""

    forward_ad_refusal = _errors.no_forward_ad_yet("special_zeta")

    _broadcasting = True

    @staticmethod
    def forward(ctx: Any, x: Any, q: Any) -> np.ndarray:
        ctx.save_for_backward(x, q)
        dt = x.dtype if isinstance(x, np.ndarray) else q.dtype
        return quiet(lambda: _zeta_values(np.float64(x), np.float64(q)).astype(dt))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, grad * -x * zeta(x + 1, q)


class SpecialZetaNumberInput(SpecialZeta):
    node_name = "SpecialZetaBackward1"


class SpecialZetaNumberOther(SpecialZeta):
    node_name = "SpecialZetaBackward2"


def zeta(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """ζ(input, other), the Hurwitz zeta function Σ_k (other + k)^-input (inf at input = 1,
    nan below 1); either argument may be a number."""
    if out is not None:
        return call_with_out("special_zeta", zeta, (input, other), out)
    T = Tensor
    try:
        if not isinstance(input, T) and not isinstance(other, T):
            raise TypeError
        x, q = as_operand(input, "special_zeta"), as_operand(other, "special_zeta")
    except TypeError:
        got = ", ".join("Tensor" if isinstance(v, T) else type(v).__name__ for v in (input, other))
        raise TypeError(_ZETA_SIGNATURES.format(got)) from None
    x, q, dt = promote_float(x, q)
    if dt.itemsize < 4:
        raise NotImplementedError(f"\"zeta_cpu\" not implemented for '{dtype_name(dt)}'")
    if not isinstance(x, T):
        return SpecialZetaNumberInput.apply(float(x), q)
    if not isinstance(q, T):
        return SpecialZetaNumberOther.apply(x, float(q))
    return SpecialZeta.apply(x, q)
