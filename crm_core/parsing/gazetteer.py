"""Word lists that tell a company from a person: business words, Indian first names, honorifics and roles."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a run of words a business name ("Sharma *Traders*", "Khalsa Auto *Components*").
BUSINESS_WORDS = _words(
    """
    academy agencies agency agri agro apparels aqua associates auto automation automobiles automotive
    bakers bakery bank cafe dhaba restaurant kitchen classes tuitions coaching batteries beverages
    bhandaar bhandar boutique bros brothers builder builders cables capital care cargo carriers caterers
    catering cement cements center centre ceramics chem chemicals chemists clinic clinics co cold
    collections college company complex components construction constructions consultants containers
    controls corp corporation cotton couriers crafts creations dairy dal decor dental developers
    diagnostics distribution distributors dyes electric electrical electricals electronics electrotech
    emporium emporium energy engineering engineers enterprise enterprises enterprises. equipment
    equipments estates exim export exports fabric fabrics farm farms fashions feeds fertilizers fibers
    fibres finance finserv fitness flour foam food foods foods. furnishers furnishings furniture
    garments glass glassware global grains granite granites group gym handicrafts handloom hardware
    health healthcare homes hosiery hospital hospitality hospitals hotel hotels housing impex imports
    inc india industries industry infotech infra infrastructure institute instruments insurance
    interiors international investments jewelers jewellers jewellery kendra lab labs laminates lighting
    lights limited llp logistics ltd machinery machines mandir marbles mart masala masale medical
    medicals metal metals mill mills mineral minerals motor motors nursery oil oils opticals optics
    overseas packaging packers paints parts pesticides pharma pharmaceuticals pharmacy pharmacy plastics
    plaza polymers poultry power press printers printing private properties pulses pumps purifiers pvt
    realty resorts restaurant rice rubber salon sanitary sanitation sansthan school schools scientific
    seeds services solar solution solutions sons spares spices spinning steel steels storage store
    stores studio studios suppliers supply surgicals sweets system systems tea tech technologies
    technology technos textile textiles tiles tools tours tower towers trade traders traders. trading
    transport transports travels tubes tyres udyog valves ventures vidya vidyalaya warehouse water
    weaving wires works अस्पताल इंजीनियरिंग इंटरप्राइज़ेज़ इंटरप्राइजेज इंटीरियर्स इंडस्ट्रीज
    इलेक्ट्रिकल्स इलेक्ट्रॉनिक्स उद्योग एंटरप्राइज़ेज़ एंटरप्राइजेज एकेडमी एक्सपोर्ट्स एग्रो एजेंसी
    एजेंसीज ऑटो कंपनी कंस्ट्रक्शन केंद्र केमिकल्स कैटरर्स क्लिनिक गारमेंट्स ग्रुप ग्रेनाइट्स ज्वेलर्स
    ज्वैलर्स टाइल्स टेक्नोलॉजीज टेक्सटाइल टेक्सटाइल्स ट्रांसपोर्ट ट्रेडर्स ट्रेडिंग ट्रैवल्स
    डायग्नोस्टिक्स डिस्ट्रीब्यूटर्स डेयरी पेंट्स पैकर्स पॉलिमर्स प्रा प्राइवेट प्रिंटर्स प्लास्टिक्स
    फर्नीचर फार्मा फार्मेसी फूड्स फैब्रिक्स बिल्डर्स ब्रदर्स भंडार मसाले मार्बल्स मिल मिल्स मेडिकल
    मेडिकल्स मोटर्स लि लिमिटेड लैब्स लॉजिस्टिक्स वर्क्स विद्यालय संस्थान सन्स सप्लायर्स सिस्टम्स सीमेंट
    सीमेंट्स सॉल्यूशंस सॉल्यूशन्स सोलर स्कूल स्टील स्टील्स स्टोर्स स्टोर्स स्वीट्स हार्डवेयर
    हैंडीक्राफ्ट्स हॉस्पिटल होटल होटल्स
    """
)
# More business words (families are leads too: "Khanna family"; shops: "Shyam Kirana").
BUSINESS_WORDS |= _words(
    """
    foundry foundries family parivar परिवार kirana karyana provision general stores depot depo forgings
    castings fabrication fabricators institute coaching centre center स्टोर स्टोर्स किराना जनरल पार्ट्स
    कंपोनेंट्स स्पेयर्स स्वीट्स कैफे रेस्टोरेंट क्लासेज़ क्लासेस कोचिंग अकादमी इंस्टीट्यूट डेंटल
    ऑप्टिकल्स केमिस्ट फार्मास्युटिकल्स सीफूड्स फूड मसाला ऑयल मिल्क डेयरी इलेक्ट्रिक इलेक्ट्रिकल
    रोडलाइन्स कैरियर्स कूरियर ज्वेलरी साड़ी सारीज़ फैशन बुटीक सैलून जिम स्टूडियो प्रॉपर्टीज़ रियल्टी
    डेवलपर्स इन्फ्रा पैकेजिंग प्रिंटिंग प्रेस एजेंसीज ट्रेडर्स। सीमेंट्स। वर्कशॉप गैरेज मोटर्स। सिस्टम
    सर्विसेज सर्विसेस इंडिया
    """
)

# Titles before a person's name.
HONORIFICS_BEFORE = _words(
    """
    dr miss mr mrs ms shri smt sri डॉ डॉक्टर श्री श्रीमती
    """
)
# Honorifics after a person's name.
HONORIFICS_AFTER = _words(
    """
    bhai bhaiya jee ji maam madam mam saab sahab saheb sir जी भाई मैडम सर साहब
    """
)
# Roles that stand next to a contact's name but are not part of it.
ROLES = _words(
    """
    poc spoc cxo     accountant accounts admin agm buyer ceo cfo chairman coo cto dgm director engineer founder gm head
    hr in-charge incharge it manager marketing md mgr operations ops owner partner president principal
    procurement proprietor propriter purchase sales secretary trustee trustees vp अकाउंटेंट डायरेक्टर
    पर्चेज पार्टनर प्रिंसिपल प्रोपराइटर मालिक मैनेजर हेड
    """
)
# Common Indian first names (Latin and Devanagari): a run that starts with one is a person, not a company.
FIRST_NAMES = _words(
    """
    aarav aarti abdul abhay abhijit abhishek aditi aditya ahmed ajay ajit akash akhil alok aman amar
    amit amita amitabh amol amrita anand anbu anil anirban anita anjali ankit ankita anoop anup anupam
    anuradha anurag anushka arjun arnab arumugam arun aruna arvind asha ashish ashok ashutosh atul
    avinash ayesha babu balaji balasubramanian baldev balram banwari bhagwan bhagwati bharat bhavesh
    bhavna bhushan bipin biswajit chandan chandra chetan chhotu chirag debashis deepa deepak deepika dev
    devendra dhananjay dharmendra dhiraj dilip dinesh divya divya durga faisal farhan ganesh gaurav
    geeta ghanshyam girish gita gopal gopalakrishnan govind gurmeet gurpreet harish harjeet harjit
    harpreet harsh harshad hemant hetal hitesh imran indranil iqbal irfan ishaan jagdish jai jaspreet
    jatin javed jaya jayesh jignesh jitendra joydeep jyoti kalpesh kamal kamlesh kapil karan karthik
    kavita kavya kiran kishan kishan kishore krishna krishnan kuldeep kunal lakshmanan lakshmi lalit
    lalji latha madhu mahesh manish manoj manpreet meena meera mehul mitesh mohammed mohan mohanlal mohd
    mohit mukesh murali murugan nagesh nandini narayanan naresh naveen neelam neeraj neha nikhil nilesh
    nimesh nirmala nisha nitesh nitin om omprakash padma pankaj paras paresh parth partha parul pawan
    pooja poonam prabhu pradeep prakash pramod pranav prashant pratik praveen preeti prem priya priyanka
    pushpa radha radheshyam raghav rahul raj rajagopal rajan rajeev rajendra rajesh rajkumar raju rakesh
    ram ramakrishnan ramesh ramesh rani rashid ravi reena rekha rishi ritesh ritu rohan rohit rupesh
    rushabh sachin sagar sahil salim salman samir sandeep sangeeta sanjay sanjeev sanket santosh sarita
    satish saurabh sayan seema selvam senthil shahid shailesh shankar sharad shilpa shiv shivam shobha
    shreya shubham shyam shyamlal siddharth simran sneha sonal sonia soumya sourav sridhar srinivas
    subhash subramanian subrata sudhir sudip sujata sukhwinder sumit sunil sunita suraj suresh suresh
    sushil swati tanmay tariq tarun tejas tushar uday umesh usha vaibhav varun vasant venkat venkatesh
    vijay vikas vikram vinay vineet vinod vipin vishal vishwas vivek yash yatin yogesh yusuf zubair
    अंजलि अजय अनिल अमित अरविंद अर्जुन अशोक आनंद इरफ़ान इरफान उमेश ओमप्रकाश करण कविता किशन कृष्ण गिरीश
    गीता गुरप्रीत गोपाल घनश्याम दिनेश दीपक नरेश नितिन नेहा पूजा प्रकाश प्रिया फरहान मनोज ममता महेश मुकेश
    मेहुल योगेश रमेश राकेश राजेश राधेश्याम रामनिवास रामेश्वर राहुल रेखा लक्ष्मी ललित विक्रम विजय विजय
    विनोद श्याम संजय सचिन सतीश सीमा सुनीता सुनील सुरेश स्नेहा हरप्रीत हरीश हेतल
    """
)
