"""Deterministic data for the mock NeurIPS site: institutions with their true
countries, author names, titles, abstracts with model mentions, and the
per-year paper/feed model.  Standard library only.  Everything is derived from
(seed, year) so two runs with the same arguments give byte-identical pages.

This module never reads the project's rules/: the country of every
institution string below is the mock's own ground truth.
"""

import hashlib
import random

# --------------------------------------------------------------------------
# Institutions.  Each line: the string as an author writes it | countries.
# Countries are ISO 3166-1 alpha-2, one per affiliation in the string, in
# order.  A trailing '*' marks a country that comes only from placing a
# multinational with no location at its headquarters ("Google" -> US*).
# A '?' marks a string that is ambiguous without context, and the countries
# after it are the other places it can name: bare "Northeastern University"
# names both Boston's (US, the truth here) and Shenyang's (CN), written
# "US?CN"; a classifier may rightly leave it unknown between the two.
#
# Which companies count as multinationals is a judgement; the evidence used
# is the labelled rows of ../shared/data/affiliations-dev.jsonl: "Ant Group"
# is CN, located (285 rows, every one China); "LG AI Research" is KR* (36
# rows South Korea, 5 United States, all naming its Ann Arbor lab);
# "Kuaishou Technology" is CN* (3 rows: its Seattle AI Lab).
# --------------------------------------------------------------------------
_INSTITUTIONS = r"""
Tsinghua University|CN
Tsinghua Univ.|CN
Dept. of CS, Tsinghua Univ., Beijing, China|CN
Department of Computer Science and Technology, Tsinghua University|CN
Institute for AI Industry Research (AIR), Tsinghua University|CN
Peking University|CN
School of CS, Peking University, Beijing 100871, China|CN
Peking University; BAAI|CN,CN
Shanghai Jiao Tong University|CN
SJTU|CN
Shanghai Jiao Tong University / Shanghai AI Lab|CN,CN
Zhejiang University|CN
Zhejiang Univ., Hangzhou, China|CN
Zhejiang University & Alibaba Group|CN,CN*
University of Science and Technology of China|CN
USTC|CN
Fudan University|CN
Nanjing University|CN
National Key Laboratory for Novel Software Technology, Nanjing University, Nanjing, China|CN
Shanghai AI Laboratory|CN
Shanghai Artificial Intelligence Laboratory|CN
Institute of Automation, Chinese Academy of Sciences|CN
CASIA|CN
University of Chinese Academy of Sciences|CN
Institute of Computing Technology, CAS|CN
Harbin Institute of Technology|CN
Harbin Institute of Technology, Shenzhen|CN
Sun Yat-sen University|CN
Renmin University of China|CN
Gaoling School of Artificial Intelligence, Renmin University of China|CN
Beihang University|CN
Xidian University|CN
State Key Laboratory of Integrated Services Networks, Xidian University|CN
Wuhan University|CN
Huazhong University of Science and Technology|CN
Southern University of Science and Technology|CN
Westlake University|CN
Tongji University|CN
Xi'an Jiaotong University|CN
Nankai University|CN
Sichuan University|CN
Beijing Institute of Technology|CN
Beijing Academy of Artificial Intelligence|CN
Shenzhen Research Institute of Big Data|CN
The Chinese University of Hong Kong, Shenzhen|CN
The Hong Kong University of Science and Technology (Guangzhou)|CN
Northeastern University, Shenyang, China|CN
Peng Cheng Laboratory|CN
Microsoft Research Asia|CN
Microsoft Research Asia, Beijing|CN
Tsinghua University & Microsoft Research Asia|CN,CN
Alibaba Group|CN*
Alibaba DAMO Academy|CN*
Qwen Team, Alibaba Group|CN*
Tencent AI Lab|CN*
Tencent|CN*
ByteDance|CN*
ByteDance Inc.|CN*
ByteDance Research|CN*
Baidu Research|CN*
Baidu Inc., Beijing, China|CN
Huawei Noah's Ark Lab|CN*
Huawei Technologies Co., Ltd.|CN*
Ant Group|CN
JD Explore Academy|CN*
Kuaishou Technology|CN*
DeepSeek-AI|CN
Zhipu AI|CN
Moonshot AI|CN
The Chinese University of Hong Kong|HK
CUHK|HK
Dept. of Information Engineering, The Chinese University of Hong Kong|HK
The Hong Kong University of Science and Technology|HK
HKUST|HK
The University of Hong Kong|HK
University of Hong Kong|HK
City University of Hong Kong|HK
The Hong Kong Polytechnic University|HK
HKUST & Tencent AI Lab|HK,CN*
University of Macau|MO
Macau University of Science and Technology|MO
National Taiwan University|TW
National Tsing Hua University|TW
Academia Sinica|TW
National Yang Ming Chiao Tung University|TW
Stanford University|US
Stanford|US
MIT|US
Massachusetts Institute of Technology|US
CSAIL, MIT|US
MIT-IBM Watson AI Lab|US
UC Berkeley|US
University of California, Berkeley|US
UC Berkeley & covariant.ai|US,US
Carnegie Mellon University|US
CMU|US
Machine Learning Department, Carnegie Mellon University, Pittsburgh, PA|US
Carnegie Mellon University / Meta AI|US,US*
Princeton University|US
Harvard University|US
Cornell University|US
Columbia University|US
New York University|US
NYU|US
University of Washington|US
Paul G. Allen School of Computer Science & Engineering, University of Washington|US
University of Wisconsin-Madison|US
University of Illinois Urbana-Champaign|US
UIUC|US
University of Michigan|US
The University of Texas at Austin|US
UT Austin|US
Georgia Institute of Technology|US
Georgia Tech|US
UCLA|US
University of California, Los Angeles|US
UC San Diego|US
University of California San Diego|US
University of Southern California|US
Caltech|US
California Institute of Technology|US
Texas A&M University|US
Purdue University|US
University of Maryland, College Park|US
University of Pennsylvania|US
Yale University|US
Duke University|US
Johns Hopkins University|US
Northeastern University|US?CN
Rice University|US
Toyota Technological Institute at Chicago|US
University of Chicago|US
Allen Institute for AI|US
Northwestern University|US
Boston University|US
The Ohio State University|US
Pennsylvania State University|US
University of Minnesota|US
Stony Brook University|US
University of Massachusetts Amherst|US
Virginia Tech|US
Rutgers University|US
UC Irvine|US
UC Santa Barbara|US
Brown University|US
OpenAI|US
Anthropic|US
Stanford University and Google|US,US*
UCLA / Amazon|US,US*
Alibaba Group US|US
Microsoft Research, Redmond|US
Google Research, Mountain View, CA|US
Google|US*
Google Research|US*
Google Brain|US*
Microsoft Research|US*
Microsoft|US*
Meta AI|US*
FAIR, Meta|US*
Facebook AI Research|US*
NVIDIA|US*
NVIDIA Research|US*
Amazon|US*
Amazon Web Services|US*
IBM Research|US*
Apple|US*
Salesforce Research|US*
Adobe Research|US*
Intel Labs|US*
Stanford University; Tsinghua University|US,CN
University of Oxford|GB
University of Oxford / Facebook AI Research|GB,US*
Oxford University|GB
University of Cambridge|GB
Imperial College London|GB
University College London|GB
UCL|GB
University of Edinburgh|GB
The Alan Turing Institute|GB
King's College London|GB
University of Warwick|GB
DeepMind|GB*
Google DeepMind|GB*
Google DeepMind, London, UK|GB
Google DeepMind / University College London|GB*,GB
Huawei Noah's Ark Lab, London|GB
Samsung AI Center, Cambridge|GB
Max Planck Institute for Intelligent Systems|DE
MPI for Intelligent Systems, Tübingen|DE
University of Tübingen|DE
Technical University of Munich|DE
TU Munich|DE
LMU Munich|DE
TU Darmstadt|DE
University of Freiburg|DE
Bosch Center for Artificial Intelligence|DE*
Inria|FR
INRIA Paris|FR
École Normale Supérieure|FR
ENS Paris, PSL University|FR
CNRS|FR
Sorbonne Université|FR
Institut Polytechnique de Paris|FR
Meta AI, Paris|FR
Mistral AI|FR
ETH Zurich|CH
ETH Zürich|CH
EPFL|CH
École Polytechnique Fédérale de Lausanne|CH
IDSIA|CH
University of Zurich|CH
ETH Zurich and Max Planck Institute for Intelligent Systems|CH,DE
Mila - Quebec AI Institute|CA
Mila|CA
Mila, Université de Montréal|CA,CA
Université de Montréal|CA
University of Toronto|CA
Vector Institute|CA
University of Toronto / Vector Institute|CA,CA
McGill University|CA
University of Waterloo|CA
University of Alberta|CA
University of British Columbia|CA
National University of Singapore|SG
NUS|SG
Nanyang Technological University|SG
NTU, Singapore|SG
A*STAR|SG
Sea AI Lab|SG
National University of Singapore & Sea AI Lab|SG,SG
Singapore Management University|SG
Singapore Institute of Technology|SG
KAIST|KR
Korea Advanced Institute of Science and Technology|KR
Seoul National University|KR
POSTECH|KR
Yonsei University|KR
Korea University|KR
NAVER AI Lab|KR
Samsung Research|KR*
LG AI Research|KR*
The University of Tokyo|JP
University of Tokyo|JP
RIKEN AIP|JP
RIKEN Center for Advanced Intelligence Project|JP
Kyoto University|JP
Preferred Networks|JP
Sony AI|JP*
Tokyo Institute of Technology|JP
Tel Aviv University|IL
Technion|IL
Weizmann Institute of Science|IL
Hebrew University of Jerusalem|IL
University of Amsterdam|NL
Delft University of Technology|NL
IST Austria|AT
Johannes Kepler University Linz|AT
KTH Royal Institute of Technology|SE
Aalto University|FI
University of Copenhagen|DK
Monash University|AU
University of Sydney|AU
Australian National University|AU
IIT Bombay|IN
Indian Institute of Science|IN
Microsoft Research India|IN
MBZUAI|AE
Mohamed bin Zayed University of Artificial Intelligence|AE
KAUST|SA
Politecnico di Milano|IT
Bocconi University|IT
Universitat Pompeu Fabra|ES
"""


def _parse_institutions():
    out = []
    for line in _INSTITUTIONS.strip().splitlines():
        name, ccs = line.rsplit("|", 1)
        ambiguous = "?" in ccs
        ccs, _, also = ccs.partition("?")
        parts = [(c.rstrip("*"), c.endswith("*")) for c in ccs.split(",")]
        countries = []
        for c, _ in parts:
            if c not in countries:
                countries.append(c)
        # A country is "HQ only" when every affiliation giving it is an
        # unlocated multinational.
        hq_only = [c for c in countries if all(h for cc, h in parts if cc == c)]
        # The countries an ambiguous string could name, its truth among them.
        candidates = sorted(set(countries) | set(c for c in also.split(",") if c)) if ambiguous else []
        out.append({"name": name, "countries": countries, "hq_only": hq_only, "ambiguous": ambiguous,
                    "candidates": candidates})
    return out


INSTITUTIONS = _parse_institutions()
INSTITUTION_BY_NAME = {i["name"]: i for i in INSTITUTIONS}

# The primary country of a string decides which name pool its authors come
# from; weights roughly follow NeurIPS 2024 author shares.
COUNTRY_WEIGHTS = {
    "US": 33, "CN": 30, "HK": 4, "GB": 5, "DE": 3, "FR": 2, "CH": 2, "CA": 4,
    "SG": 3, "KR": 3, "JP": 2, "TW": 1, "MO": 0.5, "IL": 1, "NL": 0.6,
    "AT": 0.4, "SE": 0.3, "FI": 0.2, "DK": 0.2, "AU": 1, "IN": 0.8,
    "AE": 0.6, "SA": 0.4, "IT": 0.4, "ES": 0.3,
}

BY_COUNTRY = {}
for _i in INSTITUTIONS:
    BY_COUNTRY.setdefault(_i["countries"][0], []).append(_i["name"])

# --------------------------------------------------------------------------
# Names.
# --------------------------------------------------------------------------
CN_FAMILY = ("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao "
             "Luo Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan "
             "Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Fan Qian Kong Mao").split()
CN_GIVEN = ("Wei Jing Yi Hao Yu Xin Jie Lei Tao Jun Yang Chen Ming Qiang Zhiyuan Haoran Yuxuan "
            "Zihan Xinyu Jiaqi Yifan Ruoxi Shuai Kaiming Tianyu Siyuan Zhengyang Mingyu Jiawei "
            "Yuqing Wenhao Xiaoyu Junyang Qingfu Bowen Chenyue Hongyu Lingpeng Yiming Zekun "
            "Ziyang Miaomiao Yuhai Fenglong Meixia Xingwei Yejiang Shiyu Jianfeng Lijun Huan "
            "Ruiqi Zhaoxiang Yunfei Chuang Kun Peng Xiangyu Zhiqiang Longhui Jinghui Tianle").split()
US_FIRST = ("James John Robert Michael William David Richard Joseph Thomas Christopher Daniel "
            "Matthew Anthony Mark Andrew Joshua Ryan Kevin Brian Jacob Emily Sarah Jessica "
            "Ashley Jennifer Amanda Elizabeth Megan Lauren Rachel Samantha Katherine Hannah "
            "Olivia Abigail Tyler Nathan Zachary Ethan Noah Chelsea Percy Chelsea Tatsunori").split()
US_LAST = ("Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore "
           "Jackson Martin Thompson White Harris Clark Lewis Walker Hall Allen Young King "
           "Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Carter Roberts Levine "
           "Finn Abbeel Hashimoto Goodman Steinhardt Recht Jordan Sutton").split()
EU_FIRST = ("Andrea Lukas Felix Maximilian Sophie Marie Pierre Julien Camille Mathieu Luca "
            "Giulia Matteo Francesco Jan Pieter Bram Anna Katharina Sebastian Niklas Jonas "
            "Oliver Harry George Charlotte Amelia Thibault Guillaume Elena Sofia Bernhard "
            "Alexandre Florian Yannic Kilian Ioannis Dimitris Nikolaos").split()
EU_LAST = ("Vedaldi Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Martin "
           "Bernard Lefebvre Moreau Rossi Russo Ferrari Esposito Bianchi de Vries Jansen "
           "van der Berg Bakker Schölkopf Krause Hofmann Bach Mairal Jaggi Flammarion "
           "Papadopoulos Georgiou Nowak Kowalski Novak Andersson Nielsen Virtanen").split()
KR_FAMILY = "Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin Seo Kwon Hwang".split()
KR_GIVEN = ("Min-jun Seo-yeon Ji-ho Ha-eun Do-yun Seung-hoon Jae-won Hyun-woo Ji-woo Sung-ju "
            "Jinwoo Sangdoo Kyunghyun Juho Dongyeop Jaehoon Sungsoo Minsu").split()
IN_FIRST = ("Arjun Priya Rahul Ananya Vikram Sneha Aditya Kavya Rohan Divya Siddharth Pooja "
            "Karthik Neha Abhishek Shreya Varun Aparna Sanjeev Nikhil").split()
IN_LAST = ("Sharma Patel Gupta Singh Kumar Reddy Iyer Nair Rao Mehta Joshi Agarwal Banerjee "
           "Chatterjee Krishnan Menon Bhattacharya Desai").split()
JP_FAMILY = "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato".split()
JP_GIVEN = "Takeshi Hiroshi Yuki Haruto Sakura Kenji Masashi Shun Daiki Naoya Taiji Issei".split()
IL_FIRST = "Yonatan Noa Tal Amir Shai Yael Omer Gal Nadav Maya".split()
IL_LAST = "Cohen Levi Mizrahi Peretz Biton Friedman Shapira Azoulay".split()

ETHNIC_POOLS = {
    "cn": (CN_GIVEN, CN_FAMILY), "us": (US_FIRST, US_LAST), "eu": (EU_FIRST, EU_LAST),
    "kr": (KR_GIVEN, KR_FAMILY), "in": (IN_FIRST, IN_LAST), "jp": (JP_GIVEN, JP_FAMILY),
    "il": (IL_FIRST, IL_LAST),
}

# Name origin mix per affiliation country.
ORIGIN_MIX = {
    "CN": {"cn": 97, "us": 1, "eu": 1, "kr": 1},
    "HK": {"cn": 90, "us": 4, "eu": 3, "in": 3},
    "MO": {"cn": 95, "eu": 5},
    "TW": {"cn": 100},
    "US": {"us": 38, "cn": 34, "in": 12, "kr": 6, "eu": 8, "il": 2},
    "SG": {"cn": 70, "in": 15, "us": 5, "eu": 10},
    "KR": {"kr": 95, "us": 5},
    "JP": {"jp": 92, "cn": 5, "us": 3},
    "IL": {"il": 90, "us": 10},
    "IN": {"in": 100},
    "AE": {"in": 40, "cn": 30, "eu": 30},
    "SA": {"cn": 40, "eu": 30, "in": 30},
}
DEFAULT_MIX = {"eu": 60, "us": 12, "cn": 16, "in": 7, "kr": 5}

# --------------------------------------------------------------------------
# Real year sizes (SOURCES.md §1.1).  2019: 1,428 accepted papers (NeurIPS
# 2019 press figure; SOURCES.md gives no count for it).
# --------------------------------------------------------------------------
YEAR_TRACKS = {
    2019: [("none", 1428)],
    2020: [("none", 1898)],
    # 2021: 2,334 main papers, plus 174 D&B papers on their own host
    # (datasets-benchmarks-proceedings.neurips.cc, SOURCES.md §1.1).
    2021: [("none", 2334), ("datasets_and_benchmarks", 174)],
    2022: [("conference", 2671), ("datasets_and_benchmarks", 163)],
    2023: [("conference", 3218), ("datasets_and_benchmarks", 322)],
    2024: [("conference", 4034), ("datasets_and_benchmarks_track", 459)],
    2025: [("creative_ai_track", 64), ("conference", 5286),
           ("datasets_and_benchmarks_track", 497), ("position_paper_track", 40)],
}
YEARS = sorted(YEAR_TRACKS)

# data-track value -> URL token, badge text (SOURCES.md §1.1, §1.2)
TRACK_INFO = {
    "none": ("", None),
    "conference": ("Conference", "Main Conference Track"),
    "datasets_and_benchmarks": ("Datasets_and_Benchmarks", "Datasets and Benchmarks Track"),
    "datasets_and_benchmarks_track": ("Datasets_and_Benchmarks_Track", "Datasets and Benchmarks Track"),
    "position_paper_track": ("Position_Paper_Track", "Position Paper Track"),
    "creative_ai_track": ("Creative_AI_Track", "Creative AI"),
}

# --------------------------------------------------------------------------
# Titles and abstracts.  Titles never name a model; every model mention is
# in the abstract and recorded in the truth file.
# --------------------------------------------------------------------------
T_ADJ = ("Scalable Robust Efficient Provable Adaptive Sparse Hierarchical Contrastive Causal "
         "Federated Bayesian Implicit Equivariant Stochastic Principled Unified Lightweight "
         "Offline Compositional Geometric Differentiable Private Fair Calibrated").split()
T_TASK = ["Representation Learning", "Policy Optimization", "Graph Classification",
          "Out-of-Distribution Generalization", "Video Understanding", "Reward Modeling",
          "Neural Architecture Search", "Domain Adaptation", "Time Series Forecasting",
          "Molecule Generation", "Semantic Segmentation", "Program Synthesis",
          "Uncertainty Estimation", "Continual Learning", "Active Learning",
          "Speech Recognition", "Point Cloud Registration", "Meta-Learning",
          "Knowledge Distillation", "Anomaly Detection", "Image Restoration",
          "Preference Alignment", "Combinatorial Optimization", "Causal Discovery",
          "Multi-Agent Coordination", "Tabular Prediction", "Theorem Proving",
          "Retrieval", "Mechanistic Interpretability", "Protein Design"]
T_TECH = ["Optimal Transport", "Score Matching", "Spectral Methods", "Mirror Descent",
          "Low-Rank Adaptation", "Kernel Methods", "Message Passing", "Energy-Based Models",
          "Random Features", "Importance Sampling", "Neural ODEs", "Variational Inference",
          "Prompt Tuning", "Gradient Flows", "Implicit Differentiation", "Quantization",
          "Data Augmentation", "Self-Distillation", "Hypernetworks", "Token Merging"]
T_PATTERNS = ["{adj} {task} via {tech}", "{adj} and {adj2} {task}",
              "On the Convergence of {tech} for {task}", "{name}: {adj} {task} with {tech}",
              "Towards {adj} {task}", "Rethinking {tech} for {adj} {task}",
              "When Does {tech} Help {task}?", "{task} Beyond {tech}",
              "A Theory of {adj} {task}", "Learning to {verb} with {tech}"]
T_VERB = ["Rank", "Plan", "Forget", "Reason", "Compress", "Explore", "Search", "Route", "Align"]
T_NAME_A = "Fast Deep Neo Meta Flux Hyper Graph Omni Tiny Long Auto Mono".split()
T_NAME_B = "Net Former Mix Flow Bench Gen Prompt Match Seg Diff Kit Tune".split()

SENT_OPEN = [
    "We study {task_l} in the setting where labelled data is scarce.",
    "{task} is a central problem in machine learning.",
    "Recent progress in {task_l} has relied on ever larger models.",
    "We revisit {tech_l} from a statistical perspective.",
    "Existing methods for {task_l} scale poorly with the input size.",
]
SENT_MID = [
    "We propose a simple method based on {tech_l} that is easy to implement.",
    "Our analysis yields a bound that is tight up to logarithmic factors.",
    "The key idea is to decouple estimation from optimisation.",
    "We introduce a benchmark of 12 tasks & 3 modalities for {task_l}.",
    "Our estimator is unbiased and its variance decays as O(1/n).",
]
SENT_END = [
    "Experiments on standard benchmarks show consistent gains over strong baselines.",
    "Code is available at the project page.",
    "We also discuss limitations and broader impacts.",
    "Empirically, our method reduces compute by 40% with no loss in accuracy.",
]
# (canonical mention, sentences that mention it)
MENTION_SENTS = [
    ("Transformer", ["We build on the Transformer architecture and replace attention with {tech_l}.",
                     "Our vision transformer (ViT) variant attains higher accuracy.",
                     "We probe transformer-based language models for this ability."]),
    ("Llama 2", ["We fine-tune Llama 2 (7B and 13B) with our objective.",
                 "Experiments with LLaMA-2-7B confirm the effect."]),
    ("Qwen2.5", ["We evaluate on Qwen2.5-7B-Instruct and observe large gains.",
                 "Distilling into Qwen2.5 models halves the error."]),
    ("GPT-4", ["We use GPT-4 as an automatic judge of the outputs.",
               "Responses are compared with GPT-4 on 500 prompts."]),
    ("diffusion models", ["We show that diffusion models can be trained with {tech_l}.",
                          "Our sampler accelerates pretrained diffusion models by 5x."]),
    ("BERT", ["We compare against BERT-base fine-tuned on the same data.",
              "Sentence embeddings from BERT serve as features."]),
]
# The electrical sense: these are NOT model mentions.
ELECTRIC_SENTS = [
    "We monitor the health of power transformers from dissolved-gas measurements.",
    "The method detects winding faults in distribution transformers of the grid.",
    "A 110 kV transformer substation serves as our case study.",
]
# Abstract quirks (SOURCES.md §1.3): a bare '<' and raw entities.
BARE_LT_SENTS = ["The bound holds whenever k < n and the loss is 1-Lipschitz.",
                 "We require 0 < epsilon < 1 and report results for p<0.05."]
ENTITY_SENTS = ["We compare with Pareto &amp; Nash solutions and &quot;oracle&quot; baselines.",
                "The learner&#39;s regret is at most &radic;T in the worst case."]


def md5hex(s):
    return hashlib.md5(s.encode()).hexdigest()


def _weighted(rng, mapping):
    keys = list(mapping)
    return rng.choices(keys, weights=[mapping[k] for k in keys])[0]


class Person:
    __slots__ = ("pid", "given", "family", "home", "alt")

    def __init__(self, pid, given, family, home, alt):
        self.pid, self.given, self.family, self.home, self.alt = pid, given, family, home, alt

    @property
    def name(self):
        return (self.given + " " + self.family).strip()


def build_people(seed, count=9000):
    """The global author pool (shared by all years, so people recur)."""
    rng = random.Random("people:%d" % seed)
    countries = [c for c in COUNTRY_WEIGHTS if c in BY_COUNTRY]
    weights = [COUNTRY_WEIGHTS[c] for c in countries]
    people = []
    for pid in range(count):
        country = rng.choices(countries, weights=weights)[0]
        home = rng.choice(BY_COUNTRY[country])
        origin = _weighted(rng, ORIGIN_MIX.get(country, DEFAULT_MIX))
        given_pool, family_pool = ETHNIC_POOLS[origin]
        given, family = rng.choice(given_pool), rng.choice(family_pool)
        # A second affiliation used on some papers: another place entirely,
        # so the same name appears with different affiliations.
        c2 = country if rng.random() < 0.5 else rng.choices(countries, weights=weights)[0]
        alt = rng.choice(BY_COUNTRY[c2])
        people.append(Person(220000 + pid * 7 + rng.randrange(7), given, family, home, alt))
    return people


def md_country(person):
    return INSTITUTION_BY_NAME[person.home]["countries"][0]


class Paper:
    """One proceedings paper (or, with number None, a feed-only record)."""
    __slots__ = ("year", "number", "sha", "track", "title", "authors", "abstract",
                 "mentions", "in_feed", "oral", "decision", "pages", "supplemental",
                 "uid", "event_id", "oral_event_id", "forum", "doi", "bibtex_id", "blank_meta_author",
                 "double_escaped", "dnb_round")


def _title(rng, used):
    for _ in range(50):
        pat = rng.choice(T_PATTERNS)
        t = pat.format(adj=rng.choice(T_ADJ), adj2=rng.choice(T_ADJ), task=rng.choice(T_TASK),
                       tech=rng.choice(T_TECH), verb=rng.choice(T_VERB),
                       name=rng.choice(T_NAME_A) + rng.choice(T_NAME_B))
        if t not in used:
            used.add(t)
            return t
    t = "%s (%d)" % (t, len(used))
    used.add(t)
    return t


def _abstract(rng):
    task, tech = rng.choice(T_TASK), rng.choice(T_TECH)
    fill = {"task": task, "task_l": task.lower(), "tech_l": tech.lower()}
    sents = [rng.choice(SENT_OPEN), rng.choice(SENT_MID)]
    mentions = []
    r = rng.random()
    if r < 0.30:
        for canon, variants in rng.sample(MENTION_SENTS, rng.choice((1, 1, 1, 2))):
            sents.append(rng.choice(variants))
            mentions.append(canon)
    elif r < 0.33:
        sents.insert(1, rng.choice(ELECTRIC_SENTS))
    r = rng.random()
    if r < 0.03:
        sents.append(rng.choice(BARE_LT_SENTS))
    elif r < 0.06:
        sents.append(rng.choice(ENTITY_SENTS))
    sents.append(rng.choice(SENT_END))
    text = " ".join(s.format(**fill) for s in sents)
    return text, sorted(set(mentions))


def _scaled(year, papers):
    tracks = YEAR_TRACKS[year]
    if papers is None:
        return list(tracks)
    total = sum(n for _, n in tracks)
    out, left = [], papers
    for i, (t, n) in enumerate(tracks):
        k = left if i == len(tracks) - 1 else max(1, round(papers * n / total))
        k = min(k, left - (len(tracks) - 1 - i)) if i < len(tracks) - 1 else k
        out.append((t, max(k, 1 if papers >= len(tracks) else 0)))
        left -= out[-1][1]
    return out


# Names stored HTML-escaped and escaped again on output (SOURCES.md §1.2:
# "Chenyue &amp;quot;xdd44&amp;quot; Dai"), placed on these paper indexes.
DOUBLE_ESCAPED_NAMES = [(7, ("Chenyue", '"xdd44" Dai')), (41, ("Siobhan", "O'Brien")),
                        (113, ("Zoe", '"ZZ" M\u00fcller'))]


def build_year(year, seed, people, papers=None):
    """Papers and feed-only records for one year, deterministically."""
    rng = random.Random("year:%d:%d" % (seed, year))
    out, used_titles = [], set()
    number = 0
    # Zipf-ish popularity so some people author many papers.
    by_home_country = {}
    for person in people:
        by_home_country.setdefault(md_country(person), []).append(person)
    cum, acc = [], 0.0
    for i in range(len(people)):
        acc += 1.0 / (1 + (i % 3000)) ** 0.35
        cum.append(acc)
    for track, n in _scaled(year, papers):
        for _ in range(n):
            number += rng.randrange(1, 4)
            p = Paper()
            p.year, p.number, p.track = year, number, track
            p.sha = md5hex(str(number))
            p.title = _title(rng, used_titles)
            k = rng.choices(range(1, 13), weights=[4, 8, 14, 17, 16, 12, 9, 7, 5, 4, 2, 2])[0]
            # A paper comes from one lab/country: most co-authors are drawn
            # from the lead author's country, a few from anywhere.
            lead = rng.choices(people, cum_weights=cum)[0]
            local = by_home_country[md_country(lead)]
            seen, authors = set(), []
            for attempt in range(k * 3):
                if attempt == 0:
                    person = lead
                elif rng.random() < 0.85:
                    person = local[rng.randrange(len(local))]
                else:
                    person = rng.choices(people, cum_weights=cum)[0]
                if person.pid in seen:
                    continue
                seen.add(person.pid)
                inst = person.home if rng.random() < 0.9 else person.alt
                authors.append({"person": person, "given": person.given, "family": person.family,
                                "name": person.name, "institution": inst})
                if len(authors) == k:
                    break
            # Same lab co-authors: often the second author shares the first's affiliation.
            if len(authors) > 1 and rng.random() < 0.5:
                authors[1]["institution"] = authors[0]["institution"]
            p.authors = authors
            p.abstract, p.mentions = _abstract(rng)
            p.in_feed = rng.random() >= 0.015
            r = rng.random()
            p.oral = r < 0.02
            p.decision = ("Accept (oral)" if p.oral else
                          "Accept (spotlight)" if r < 0.08 else "Accept (poster)")
            first = 1 + rng.randrange(2000)
            p.pages = (first, first + rng.randrange(9, 40))
            p.supplemental = rng.random() < 0.6
            p.uid = md5hex("uid:%d:%d:%d" % (seed, year, number))
            p.forum = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                              for _ in range(10))
            p.doi = "10.52202/%06d-%04d" % (79017 + (year - 2024) * 1000, len(out) + 1)
            p.bibtex_id = 20000 + number
            p.blank_meta_author = False
            p.double_escaped = False
            # The 2021 D&B papers live on the D&B host, in two rounds
            # (66 + 108 of 174, SOURCES.md §1.1), numbered after the main ones.
            p.dnb_round = None
            if year == 2021 and track == "datasets_and_benchmarks":
                p.dnb_round = "round1" if rng.random() < 66 / 174 else "round2"
            out.append(p)
    # Quirks placed deterministically: a double-escaped name (SOURCES.md §1.2)
    # and, before 2022, blank-name Metadata.json entries (§1.4).
    if out:
        for idx, (given, family) in DOUBLE_ESCAPED_NAMES:
            if idx < len(out) or idx == 7:
                q = out[min(len(out) - 1, idx)]
                q.authors[0] = dict(q.authors[0], given=given, family=family, name=given + " " + family)
                q.double_escaped = True
        for i in range(3, len(out), 97):
            out[i].blank_meta_author = True
        # Whatever the size, at least one paper is missing from the feed and
        # at least one is an oral (so the Oral+Poster duplicate exists).
        if all(p.in_feed for p in out):
            out[min(len(out) - 1, 5)].in_feed = False
        if not any(p.oral for p in out):
            o = out[min(len(out) - 1, 2)]
            o.oral, o.decision = True, "Accept (oral)"
    # Feed-only records (no proceedings paper): e.g. withdrawn after the
    # schedule was made, or journal-track talks.
    extra = []
    for j in range(max(1, len(out) // 150)):
        p = Paper()
        p.year, p.number, p.track, p.sha = year, None, None, None
        p.title = _title(rng, used_titles)
        k = rng.randrange(1, 6)
        p.authors = [{"person": x, "given": x.given, "family": x.family, "name": x.name,
                      "institution": x.home} for x in rng.sample(people, k)]
        p.abstract, p.mentions = _abstract(rng)
        p.in_feed, p.oral, p.decision = True, False, "Accept (poster)"
        p.dnb_round = None
        p.uid = md5hex("uid-extra:%d:%d:%d" % (seed, year, j))
        p.forum = md5hex("forum:%d:%d" % (year, j))[:10]
        extra.append(p)
    # Event ids (SOURCES.md §2.1: the number in /virtual/<Y>/poster/<id>),
    # unique within a year's feed; an oral's second record has its own id.
    base = 100000 + (year - 2019) * 50000
    allp = out + extra
    for i, p in enumerate(allp):
        p.event_id = base + i
        p.oral_event_id = base + len(allp) + i
    # Per-author feed quirks: empty or null institutions, decided now so the
    # truth and the feed agree.
    for p in out + extra:
        for a in p.authors:
            r = rng.random()
            a["feed_institution"] = ("" if r < 0.018 else None if r < 0.022 else a["institution"])
    return out, extra


# --------------------------------------------------------------------------
# The paper PDFs (tests/mock/mockpdf.py typesets them).  Each PDF is planned
# from its own random stream ("pdf:<seed>:<year>:<sha>"), so adding PDFs
# changed nothing else the generator draws, and a PDF can be built alone,
# on request.  The plan decides the truth: the model mentions per section
# (body vs references, per family, as counts) and, for every author the
# other sources leave without an affiliation, what the first page shows.
# --------------------------------------------------------------------------

# Real email domains of some institutions: the ones an author can be placed
# by without an affiliation line.  Other institutions get a made-up domain
# in a made-up second level ("<initials>.mock-mail.<tld>") that names no
# real institution, so it never decides anything by itself.
EMAIL_DOMAINS = {
    "Tsinghua University": "tsinghua.edu.cn", "Peking University": "pku.edu.cn",
    "Shanghai Jiao Tong University": "sjtu.edu.cn", "Zhejiang University": "zju.edu.cn",
    "Fudan University": "fudan.edu.cn", "Nanjing University": "nju.edu.cn",
    "University of Science and Technology of China": "ustc.edu.cn",
    "Stanford University": "stanford.edu", "Massachusetts Institute of Technology": "mit.edu",
    "Carnegie Mellon University": "cs.cmu.edu", "Princeton University": "princeton.edu",
    "Harvard University": "harvard.edu", "University of Washington": "uw.edu",
    "University of Oxford": "ox.ac.uk", "University of Cambridge": "cam.ac.uk",
    "ETH Zurich": "ethz.ch", "EPFL": "epfl.ch", "University of Toronto": "utoronto.ca",
    "National University of Singapore": "nus.edu.sg", "KAIST": "kaist.ac.kr",
    "The University of Tokyo": "u-tokyo.ac.jp", "The Chinese University of Hong Kong": "cuhk.edu.hk",
    "National Taiwan University": "ntu.edu.tw", "University of Macau": "um.edu.mo",
    "Cornell University": "cornell.edu", "Columbia University": "columbia.edu",
    "New York University": "nyu.edu", "University of Illinois Urbana-Champaign": "illinois.edu",
    "University of Michigan": "umich.edu", "Georgia Institute of Technology": "gatech.edu",
    "University of California, Los Angeles": "ucla.edu", "UC Berkeley": "berkeley.edu",
    "University of California, Berkeley": "berkeley.edu", "Yale University": "yale.edu",
    "Duke University": "duke.edu", "Johns Hopkins University": "jhu.edu", "Rice University": "rice.edu",
    "Purdue University": "purdue.edu", "The University of Texas at Austin": "utexas.edu",
    "University of Southern California": "usc.edu", "California Institute of Technology": "caltech.edu",
    "University of Pennsylvania": "upenn.edu", "University of Wisconsin-Madison": "wisc.edu",
    "Renmin University of China": "ruc.edu.cn", "Beihang University": "buaa.edu.cn",
    "Wuhan University": "whu.edu.cn", "Huazhong University of Science and Technology": "hust.edu.cn",
    "Southern University of Science and Technology": "sustech.edu.cn",
    "Westlake University": "westlake.edu.cn", "Tongji University": "tongji.edu.cn",
    "Xi'an Jiaotong University": "xjtu.edu.cn", "Nankai University": "nankai.edu.cn",
    "Sichuan University": "scu.edu.cn", "Sun Yat-sen University": "sysu.edu.cn",
    "Harbin Institute of Technology": "hit.edu.cn", "Xidian University": "xidian.edu.cn",
    "Beijing Institute of Technology": "bit.edu.cn", "Imperial College London": "imperial.ac.uk",
    "University College London": "ucl.ac.uk", "University of Edinburgh": "ed.ac.uk",
    "University of Warwick": "warwick.ac.uk", "King's College London": "kcl.ac.uk",
    "The University of Hong Kong": "hku.hk", "City University of Hong Kong": "cityu.edu.hk",
    "The Hong Kong Polytechnic University": "polyu.edu.hk", "Technical University of Munich": "tum.de",
    "University of T\u00fcbingen": "uni-tuebingen.de", "McGill University": "mcgill.ca",
    "University of Waterloo": "uwaterloo.ca", "University of Alberta": "ualberta.ca",
    "University of British Columbia": "ubc.ca", "Nanyang Technological University": "ntu.edu.sg",
    "Seoul National University": "snu.ac.kr", "Yonsei University": "yonsei.ac.kr",
    "Korea University": "korea.ac.kr", "POSTECH": "postech.ac.kr", "Kyoto University": "kyoto-u.ac.jp",
    "Tel Aviv University": "tau.ac.il", "Technion": "technion.ac.il", "University of Amsterdam": "uva.nl",
    "University of Zurich": "uzh.ch",
}
_TLD = {"US": "edu", "CN": "cn", "HK": "hk", "MO": "mo", "TW": "tw", "GB": "uk", "DE": "de",
        "FR": "fr", "CH": "ch", "CA": "ca", "SG": "sg", "KR": "kr", "JP": "jp", "IL": "il"}

# (sentence, {family display name: mentions}) for the body.  Each mention
# is counted by hand against rules/models.yaml's definitions; the sentences
# with {} are the traps (the electrical transformer, the verb "clip").
BODY_MENTIONS = [
    ("We build on the Transformer architecture of prior work.", {"Transformer": 1}),
    ("Each layer is a standard transformer block with pre-normalisation.", {"Transformer": 1}),
    ("We fine-tune Llama 2 on the training split for three epochs.", {"Llama": 1}),
    ("Our largest model is initialised from LLaMA-2 weights.", {"Llama": 1}),
    ("We also report results with Qwen2.5 as the base model.", {"Qwen": 1}),
    ("Outputs are scored by GPT-4 following a fixed rubric.", {"GPT": 1}),
    ("A BERT encoder provides the sentence features.", {"BERT": 1}),
    ("Unlike diffusion models, our sampler needs a single step.", {"Diffusion models": 1}),
    ("Image features come from a frozen CLIP encoder.", {"CLIP": 1}),
    ("We repeat the study with Mistral 7B and find the same trend.", {"Mistral": 1}),
    ("DeepSeek-R1 serves as a reasoning baseline.", {"DeepSeek": 1}),
    ("The grid data come from distribution transformers rated at 50 kVA.", {}),
    ("We clip gradients to a norm of one in every step.", {}),
]
BODY_FILLER = [
    "The first step defines a specific objective for the field of interest.",
    "We fix the learning rate and tune the remaining hyperparameters on held-out data.",
    "This yields a significantly more efficient estimator in the finite-sample regime.",
    "Our analysis relies on a standard smoothness assumption on the loss landscape.",
    "Figure 2 shows the workflow of the proposed pipeline on a representative example.",
    "The configuration of every experiment is listed in the supplementary material.",
    "We observe that the improvement is consistent across architectures and datasets.",
    "The computational overhead is negligible compared with the forward pass.",
    "Table 1 reports the mean and standard deviation over five independent runs.",
    "A careful ablation confirms that each component contributes to the final accuracy.",
    "The flexibility of the formulation allows a unified treatment of both settings.",
    "Intuitively, the regulariser penalises solutions that overfit the training distribution.",
]
SECTION_NAMES = ["Introduction", "Related Work", "Method", "Experiments", "Conclusion"]
REF_MENTIONS = [
    ("H. Touvron, L. Martin, K. Stone, et al. Llama 2: Open foundation and fine-tuned chat models. "
     "arXiv preprint arXiv:2307.09288, 2023.", {"Llama": 1}),
    ("OpenAI. GPT-4 technical report. arXiv preprint arXiv:2303.08774, 2023.", {"GPT": 1}),
    ("J. Devlin, M.-W. Chang, K. Lee, and K. Toutanova. BERT: Pre-training of deep bidirectional "
     "transformers for language understanding. In NAACL, 2019.", {"BERT": 1}),
    ("A. Dosovitskiy, L. Beyer, A. Kolesnikov, et al. An image is worth 16x16 words: Transformers "
     "for image recognition at scale. In ICLR, 2021.", {"Transformer": 1}),
    ("A. Yang, B. Yang, B. Zhang, et al. Qwen2.5 technical report. arXiv preprint "
     "arXiv:2412.15115, 2024.", {"Qwen": 1}),
    ("A. Q. Jiang, A. Sablayrolles, A. Mensch, et al. Mistral 7B. arXiv preprint "
     "arXiv:2310.06825, 2023.", {"Mistral": 1}),
]
REF_FILLER = [
    "D. P. Kingma and J. Ba. Adam: A method for stochastic optimization. In ICLR, 2015.",
    "K. He, X. Zhang, S. Ren, and J. Sun. Deep residual learning for image recognition. In CVPR, 2016.",
    "A. Vaswani, N. Shazeer, N. Parmar, et al. Attention is all you need. In NeurIPS, 2017.",
    "I. Goodfellow, Y. Bengio, and A. Courville. Deep Learning. MIT Press, 2016.",
    "S. Boyd and L. Vandenberghe. Convex Optimization. Cambridge University Press, 2004.",
    "C. M. Bishop. Pattern Recognition and Machine Learning. Springer, 2006.",
    "A. Radford, J. W. Kim, C. Hallacy, et al. Learning transferable visual models from natural "
    "language supervision. In ICML, 2021.",
    "R. S. Sutton and A. G. Barto. Reinforcement Learning: An Introduction. MIT Press, 2018.",
]


def _slug(s):
    import unicodedata
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s.lower() if c.isascii() and c.isalnum())


def email_domain(inst):
    if inst in EMAIL_DOMAINS:
        return EMAIL_DOMAINS[inst]
    info = INSTITUTION_BY_NAME[inst]
    initials = "".join(w[0] for w in inst.replace("-", " ").split() if w[0].isalpha()).lower()
    return "%s.mock-mail.%s" % (initials or "x", _TLD.get(info["countries"][0], "org"))


def _hyphenable(sentence):
    """Words of a filler sentence, long plain words with a hyphenation point."""
    out = []
    for w in sentence.split():
        core = w.rstrip(".,;:")
        if len(core) >= 10 and core.isalpha() and core.islower():
            k = len(core) // 2
            w = w[:k] + "\x00" + w[k:]
        out.append(w)
    return out


def _add(counts, more):
    for k, v in more.items():
        counts[k] = counts.get(k, 0) + v


def pdf_plan(p, seed, missing):
    """What the PDF of paper 'p' shows, and the truth it implies.

    'missing': indexes of the authors the other sources (Metadata.json, the
    feed) leave without an affiliation.  Such an author is shown with an
    affiliation line (mostly), or only with an email at a real institution
    domain (the PDF decides by domain), or with neither (undecided).
    Returns (plan for mockpdf.render, truth dict)."""
    import html as _html
    rng = random.Random("pdf:%d:%d:%s" % (seed, p.year, p.sha))
    shown = []  # per author: "line", "email" (email only) or "none"
    for i, a in enumerate(p.authors):
        if i in missing:
            r = rng.random()
            if r < 0.5 and a["institution"] in EMAIL_DOMAINS:
                shown.append("email")
            elif r > 0.95:
                shown.append("none")
            else:
                shown.append("line")
        else:
            shown.append("line")
    numbers, affs = {}, []
    names, emails_by_domain, order = [], {}, []
    truth_authors = []
    for i, a in enumerate(p.authors):
        inst = a["institution"]
        nums = []
        if shown[i] == "line":
            if inst not in numbers:
                numbers[inst] = len(numbers) + 1
                affs.append((numbers[inst], inst))
            nums = [numbers[inst]]
        names.append((a["name"], nums))
        dom = email_domain(inst)
        # Missing emails: some authors give none (never one placed by email).
        has_email = shown[i] == "email" or (shown[i] == "line" and rng.random() >= 0.15)
        if has_email:
            local = ".".join(x for x in (_slug(a["given"]), _slug(a["family"])) if x) or "author%d" % i
            if dom not in emails_by_domain:
                emails_by_domain[dom] = []
                order.append(dom)
            emails_by_domain[dom].append(local)
        t = {"pdf_affiliation": None, "pdf_email_domain": None}
        if i in missing and shown[i] == "line":
            t["pdf_affiliation"] = inst
        elif i in missing and shown[i] == "email":
            t["pdf_email_domain"] = dom
        if i in missing and shown[i] != "none":
            t["pdf_countries"] = list(INSTITUTION_BY_NAME[inst]["countries"])
            t["pdf_ambiguous"] = INSTITUTION_BY_NAME[inst]["ambiguous"]
        truth_authors.append(t)
    emails = []
    for k, dom in enumerate(order):
        locs = emails_by_domain[dom]
        sep = "," if k < len(order) - 1 else ""
        emails.append(("%s@%s" if len(locs) == 1 else "{%s}@%s") % (",".join(locs), dom) + sep)
    body_counts, ref_counts = {}, {}
    sections = []
    for s_i, name in enumerate(SECTION_NAMES):
        paras = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            words = []
            for _ in range(rng.randrange(4, 9)):
                if rng.random() < 0.12:
                    sent, c = rng.choice(BODY_MENTIONS)
                    _add(body_counts, c)
                    words += sent.split()
                else:
                    words += _hyphenable(rng.choice(BODY_FILLER))
            paras.append(words)
        sections.append(("%d %s" % (s_i + 1, name), paras))
    refs = []
    for _ in range(rng.randrange(5, 13)):
        if rng.random() < 0.3:
            ref, c = rng.choice(REF_MENTIONS)
            _add(ref_counts, c)
        else:
            ref = rng.choice(REF_FILLER)
        refs.append(ref)
    appendix = []
    if rng.random() < 0.3:
        words = []
        for _ in range(rng.randrange(3, 7)):
            if rng.random() < 0.3:
                sent, c = rng.choice(BODY_MENTIONS)
                _add(body_counts, c)
                words += sent.split()
            else:
                words += _hyphenable(rng.choice(BODY_FILLER))
        appendix.append(("A Additional Results", [words]))
    ordinal = p.year - 1986
    suffix = "th" if 10 <= ordinal % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(ordinal % 10, "th")
    plan = {"title": p.title, "names": names, "affiliations": affs, "emails": emails,
            "abstract": _html.unescape(p.abstract), "sections": sections, "references": refs,
            "appendix": appendix,
            "notice": "%d%s Conference on Neural Information Processing Systems (NeurIPS %d)." % (
                ordinal, suffix, p.year)}
    truth = {"fulltext_mentions": dict(sorted(body_counts.items())),
             "references_mentions": dict(sorted(ref_counts.items())), "authors": truth_authors}
    return plan, truth
